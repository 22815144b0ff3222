import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skin } from '@pod/protocol';
import { builtinSkins } from '../src/skins/builtin.ts';

test('every built-in skin is valid under the published schema, and their names differ', () => {
  for (const builtin of builtinSkins) assert.deepEqual(skin.parse(builtin), builtin, builtin.name);
  assert.equal(new Set(builtinSkins.map((s) => s.name)).size, builtinSkins.length);
});
