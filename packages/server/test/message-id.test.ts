import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { newMessageId } from '../src/apps/message-id.ts';

describe('message ids', () => {
  it('are UUIDv7 strings that sort by their time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), fc.integer({ min: 1, max: 10_000 }), (t, later) => {
        const a = newMessageId(t);
        const b = newMessageId(Math.min(t + later, 2 ** 48 - 1));
        assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.ok(a < b, `${a} sorts before ${b}`);
      }),
    );
  });

  it('never repeat within one millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newMessageId(1_700_000_000_000)));
    assert.equal(ids.size, 10_000);
  });
});
