import { ops, type OpDef } from '@pod/protocol';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apps } from '../src/apps/index.ts';

const byName = new Map(apps.map((app) => [app.name, app]));
const defs = Object.entries(ops as Record<string, OpDef>);

describe('the operation registry', () => {
  it('names each application server once', () => {
    assert.equal(byName.size, apps.length);
  });

  it('has a handler for every operation of the protocol, in the app the protocol names', () => {
    const missing = defs.filter(([name, def]) => !(byName.get(def.app)?.ops as Record<string, unknown> | undefined)?.[name]).map(([name, def]) => `${def.app}: ${name}`);
    assert.deepEqual(missing, []);
  });

  it('has no handler for an operation the protocol gives to another app, or does not know', () => {
    const stray = apps.flatMap((app) => Object.keys(app.ops).filter((name) => (ops as Record<string, OpDef>)[name]?.app !== app.name).map((name) => `${app.name}: ${name}`));
    assert.deepEqual(stray, []);
  });

  it('answers read-only operations with read handlers and all others inside a write transaction', () => {
    // The runner picks the path by handler kind; a write answered by a read handler would skip idempotency.
    const wrongKind = defs
      .filter(([name, def]) => {
        const handler = (byName.get(def.app)?.ops as Record<string, object> | undefined)?.[name];
        return handler !== undefined && ('read' in handler) !== (def.readonly === true);
      })
      .map(([name]) => name);
    assert.deepEqual(wrongKind, []);
  });
});
