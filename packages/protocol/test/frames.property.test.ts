import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { clientFrame, errorCodes, ops, serverFrame } from '../src/index.ts';

const requestIdChars = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'];
const requestId = fc.string({ unit: fc.constantFrom(...requestIdChars), minLength: 1, maxLength: 64 });
const seq = fc.maxSafeNat();
const opName = fc.oneof(fc.constantFrom(...Object.keys(ops)), fc.string({ maxLength: 64 }));

/** Every shape a well-behaved client may send, with optional fields present or absent. */
const validClientFrame = fc.oneof(
  fc.record({ t: fc.constant('hello'), token: fc.string({ maxLength: 200 }), after: seq }, { requiredKeys: ['t'] }),
  fc.record({ t: fc.constant('req'), id: requestId, op: opName, body: fc.jsonValue() }, { requiredKeys: ['t', 'id', 'op'] }),
  fc.record({ t: fc.constant('ack'), seq }),
  fc.constant({ t: 'ping' }),
);

/** The keys each frame type knows; anything else must be refused. */
const knownKeys: Record<string, string[]> = { hello: ['t', 'token', 'after'], req: ['t', 'id', 'op', 'body'], ack: ['t', 'seq'], ping: ['t'] };

/** What a frame looks like after the wire: JSON text parsed back. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('client frame schema, by property', () => {
  it('parses every valid client frame to exactly what was sent', () => {
    fc.assert(
      fc.property(validClientFrame, (frame) => {
        const sent = wire(frame);
        const parsed = clientFrame.safeParse(sent);
        assert.ok(parsed.success, `refused a valid frame: ${JSON.stringify(sent)}`);
        assert.deepEqual(parsed.data, sent);
      }),
      { numRuns: 500 },
    );
  });

  it('answers any JSON value with success or failure, never an exception', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), fc.object()), (value) => {
        const parsed = clientFrame.safeParse(value);
        assert.equal(typeof parsed.success, 'boolean');
        if (parsed.success) assert.ok(['hello', 'req', 'ack', 'ping'].includes(parsed.data.t));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a valid frame with one unknown key added', () => {
    const extraKey = fc.string({ minLength: 1, maxLength: 20 }).filter((key) => !['t', 'token', 'after', 'id', 'op', 'body', 'seq'].includes(key));
    fc.assert(
      fc.property(validClientFrame, extraKey, fc.jsonValue(), (frame, key, value) => {
        fc.pre(!knownKeys[frame.t]!.includes(key));
        const mutated = { ...wire(frame) as object, [key]: value };
        assert.equal(clientFrame.safeParse(mutated).success, false, `accepted the unknown key ${JSON.stringify(key)}`);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a valid frame whose field has the wrong type or range', () => {
    const wrong = fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.string(), fc.array(fc.nat(), { maxLength: 2 }), fc.constant({}));
    const mutations = fc.oneof(
      fc.record({ t: fc.constant('ack'), seq: fc.oneof(fc.integer({ max: -1 }), fc.double({ noInteger: true }), fc.constant(Number.MAX_SAFE_INTEGER + 2), fc.string()) }),
      fc.record({ t: fc.constant('hello'), token: fc.oneof(fc.string({ minLength: 201, maxLength: 400 }), fc.nat()) }),
      fc.record({ t: fc.constant('hello'), after: fc.oneof(fc.integer({ max: -1 }), fc.string(), fc.constant(null)) }),
      fc.record({ t: fc.constant('req'), id: fc.oneof(fc.constant(''), fc.string({ minLength: 65, maxLength: 80, unit: fc.constantFrom('a') }), fc.constant('has space'), fc.constant('ü'), fc.nat()), op: fc.constant('im.send') }),
      fc.record({ t: fc.constant('req'), id: requestId, op: fc.oneof(fc.string({ minLength: 65, maxLength: 100 }), fc.nat(), fc.constant(null)) }),
      fc.record({ t: fc.constant('req'), op: fc.constant('im.send') }),
      wrong.map((t) => ({ t })),
      fc.string().filter((t) => !(t in knownKeys)).map((t) => ({ t })),
    );
    fc.assert(
      fc.property(mutations, (frame) => {
        assert.equal(clientFrame.safeParse(frame).success, false, `accepted ${JSON.stringify(frame)}`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('server frame schema, by property', () => {
  it('accepts an error answer with every catalogue code and any message', () => {
    fc.assert(
      fc.property(fc.option(requestId, { nil: null }), fc.constantFrom(...errorCodes), fc.string(), (id, code, message) => {
        assert.ok(serverFrame.safeParse({ t: 'res', id, ok: false, error: { code, message } }).success);
      }),
    );
  });

  it('accepts every stored im.message event a client may receive', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,31}$/);
    const text = fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' });
    fc.assert(
      fc.property(seq, name, name, text, fc.nat(), (s, from, to, body, order) => {
        const message = { id: 'm1', from, to, text: body, at: new Date(0).toISOString(), order, deliveredAt: null, readAt: null };
        assert.ok(serverFrame.safeParse({ t: 'ev', seq: s, type: 'im.message', body: message }).success);
      }),
    );
  });
});
