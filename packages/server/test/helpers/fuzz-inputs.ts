import { MAX_FRAME_BYTES, ops } from '@pod/protocol';
import fc from 'fast-check';

/**
 * What a hostile or broken client may throw at the gateway, as fast-check arbitraries.
 * `known` holds real values (tokens, ids) so that some inputs look valid enough to reach
 * the access checks and handlers, where leaks and crashes would live.
 */
export interface KnownValues {
  /** The fuzzing user's own token (a user who is nobody's buddy). */
  token: string;
  /** Another user's token: it must never be accepted in a request body. */
  victimToken: string;
  /** Ids of messages between two other users. */
  victimMessageIds: string[];
  victimNames: string[];
}

export type FuzzFrame = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array } | { kind: 'oversized'; data: string };

export interface SocketScenario {
  /** How the socket authenticates before the frames: not at all, by hello, or by upgrade header. */
  auth: 'none' | 'hello' | 'header';
  frames: FuzzFrame[];
}

// auth.logout with its valid empty body would end the fuzzing session itself: a legitimate
// effect, not a finding, and it would leave the remaining runs unauthenticated.
const clientOps = Object.keys(ops).filter((op) => op !== 'auth.logout');
const internalOps = Object.entries(ops).filter(([, def]) => def.access === 'internal').map(([op]) => op);
const prototypeNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', ''];

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const requestId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const wrongType = fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.string({ maxLength: 10 }), fc.array(fc.nat(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.nat(), { maxKeys: 2 }));

/** Bodies that are valid for their schema yet must change nothing of anyone else's and reveal nothing. */
function probingBodies(known: KnownValues): fc.Arbitrary<{ op: string; body: unknown }> {
  const victim = fc.constantFrom(...known.victimNames);
  return fc.oneof(
    fc.record({ op: fc.constant('auth.resolve'), body: fc.record({ token: fc.constantFrom(known.victimToken, known.token) }) }),
    fc.record({ op: fc.constant('presence.connect'), body: fc.record({ userId: fc.integer({ min: 1, max: 4 }), session: printable, gateway: printable }) }),
    fc.record({ op: fc.constant('presence.refresh'), body: fc.record({ gateway: printable, devices: fc.constant([]) }) }),
    fc.record({ op: fc.constant('directory.canMessage'), body: fc.record({ fromId: fc.integer({ min: 1, max: 4 }), to: victim }) }),
    fc.record({ op: fc.constant('directory.watchers'), body: fc.record({ userId: fc.integer({ min: 1, max: 4 }) }) }),
    fc.record({ op: fc.constant('im.receipt'), body: fc.record({ ids: fc.constant(known.victimMessageIds), kind: fc.constantFrom('delivered', 'read') }) }),
    fc.record({ op: fc.constant('im.history'), body: fc.record({ with: victim }) }),
  );
}

/** A valid-looking body made invalid: an unknown key added, or a known field given a wrong type. */
function mutatedBody(): fc.Arbitrary<unknown> {
  const template = fc.constantFrom<Record<string, unknown>>(
    { to: 'b', text: 'hello' },
    { name: 'b' },
    { name: 'b', group: 'Friends' },
    { messagesFrom: 'anyone' },
    { displayName: 'x', about: 'y' },
    { status: 'online', text: 'hi' },
    { ids: ['x'], kind: 'read' },
    { with: 'a', limit: 5 },
  );
  return fc.oneof(
    fc.tuple(template, fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['to', 'text', 'name', 'group', 'messagesFrom', 'displayName', 'about', 'status', 'ids', 'kind', 'with', 'limit'].includes(k)), fc.jsonValue()).map(([t, key, value]) => ({ ...t, [key]: value })),
    fc.tuple(template, wrongType).map(([t, value]) => {
      const key = Object.keys(t)[0]!;
      return { ...t, [key]: value };
    }),
  );
}

function requestFrame(known: KnownValues): fc.Arbitrary<Record<string, unknown>> {
  const op = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...clientOps) },
    { weight: 1, arbitrary: fc.constantFrom(...internalOps) },
    { weight: 1, arbitrary: fc.constantFrom(...prototypeNames) },
    { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
  );
  const body = fc.oneof(fc.jsonValue({ maxDepth: 3 }), mutatedBody());
  return fc.oneof(
    fc.record({ t: fc.constant('req'), id: requestId, op, body }, { requiredKeys: ['t', 'id', 'op'] }),
    fc.tuple(requestId, probingBodies(known)).map(([id, { op: name, body: b }]) => ({ t: 'req', id, op: name, body: b })),
  );
}

/** Frames that are valid JSON objects but wrong somewhere, or valid and out of place. */
function structuredFrame(known: KnownValues): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { weight: 5, arbitrary: requestFrame(known) },
    fc.record({ t: fc.constant('ack'), seq: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.maxSafeNat(), fc.integer({ max: -1 }), wrongType) }),
    fc.record({ t: fc.constant('hello'), token: fc.oneof(printable, fc.constant(known.token), fc.constant(`${known.token}x`), fc.string({ minLength: 201, maxLength: 300 }), wrongType), after: fc.oneof(fc.nat(), fc.integer({ max: -1 }), wrongType) }, { requiredKeys: ['t'] }),
    fc.constant({ t: 'ping' }),
    fc.record({ t: fc.oneof(fc.constantFrom('res', 'ev', 'welcome', 'pong', 'synced', 'HELLO', ''), wrongType) }),
    fc.tuple(fc.constantFrom({ t: 'ping' }, { t: 'ack', seq: 1 }, { t: 'hello', token: known.token }), fc.string({ minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 1 })).map(([frame, key, value]) =>
      key === 't' || key in frame ? { ...frame, extra: value } : { ...frame, [key]: value },
    ),
  );
}

export function fuzzFrame(known: KnownValues): fc.Arbitrary<FuzzFrame> {
  return fc.oneof(
    { weight: 6, arbitrary: structuredFrame(known).map((frame): FuzzFrame => ({ kind: 'text', data: JSON.stringify(frame) })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((data): FuzzFrame => ({ kind: 'text', data })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value): FuzzFrame => ({ kind: 'text', data: JSON.stringify(value) })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((data): FuzzFrame => ({ kind: 'binary', data })) },
  );
}

/** A text frame just above the limit, either garbage or a request carrying a huge message. */
export const oversizedFrame: fc.Arbitrary<FuzzFrame> = fc.tuple(fc.integer({ min: 1, max: 4096 }), fc.boolean()).map(([extra, asRequest]): FuzzFrame => {
  const filler = 'x'.repeat(MAX_FRAME_BYTES + extra);
  return { kind: 'oversized', data: asRequest ? JSON.stringify({ t: 'req', id: 'big', op: 'im.send', body: { to: 'b', text: filler } }) : filler };
});

export function socketScenario(known: KnownValues): fc.Arbitrary<SocketScenario> {
  return fc.record({
    auth: fc.constantFrom<SocketScenario['auth']>('none', 'hello', 'header'),
    // An oversized frame ends its socket, so it comes last and in one scenario of eight.
    frames: fc
      .tuple(fc.array(fuzzFrame(known), { minLength: 1, maxLength: 5 }), fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: oversizedFrame }))
      .map(([frames, big]) => (big ? [...frames, big] : frames)),
  });
}

export interface HttpProbe {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

// A long-poll that names a valid wait would hold the request open; these waits are all refused or zero.
const mailboxValue = fc.constantFrom('', '0', '-1', 'x', '1e400', '61', '0x10', '1.5', '9007199254740993', ' ', '%00', '[]');

export function httpProbe(known: KnownValues): fc.Arbitrary<HttpProbe> {
  const opPath = fc.oneof(fc.constantFrom(...Object.keys(ops), ...prototypeNames), printable.map(encodeURIComponent), fc.constantFrom('%', '%E0%A4%A', '%zz', '..%2f..', 'a'.repeat(150)));
  const path = fc.oneof(
    { weight: 4, arbitrary: opPath.map((op) => `/v1/op/${op}`) },
    { weight: 1, arbitrary: fc.constantFrom('/v1/auth/login', '/v1/auth/register', '/v1/op/', '/v1/op', '/v1/ws', '/v1/', '/v1/op/im.send/extra', '/healthz?x=%') },
    {
      weight: 2,
      arbitrary: fc.dictionary(fc.constantFrom('after', 'wait', 'limit', 'x', 'after[]'), mailboxValue, { maxKeys: 3 }).map((query) => `/v1/mailbox?${new URLSearchParams(query)}`),
    },
  );
  const authorization = fc.option(fc.oneof(fc.constant(`Bearer ${known.token}`), printable, printable.map((t) => `Bearer ${t}`), fc.constant(`Bearer ${'t'.repeat(500)}`), fc.constant('Bearer')), { nil: undefined });
  const idempotencyKey = fc.option(fc.oneof(requestId, printable, fc.constant('k'.repeat(65))), { nil: undefined });
  const contentType = fc.option(fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/octet-stream', '*/*'), { nil: undefined });
  const body = fc.option(
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      mutatedBody().map((v) => JSON.stringify(v)),
      probingBodies(known).map(({ body: b }) => JSON.stringify(b)),
      fc.string({ maxLength: 100 }),
      fc.constant(`{"text":"${'x'.repeat(300 * 1024)}"}`),
    ),
    { nil: undefined },
  );
  return fc.record({ method: fc.constantFrom<HttpProbe['method']>('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE'), path, authorization, idempotencyKey, contentType, body }).map(({ method, path: p, authorization: auth, idempotencyKey: key, contentType: type, body: b }) => {
    const headers: Record<string, string> = {};
    if (auth !== undefined) headers.authorization = auth;
    if (key !== undefined) headers['idempotency-key'] = key;
    if (type !== undefined) headers['content-type'] = type;
    return { method, path: p, headers, body: method === 'GET' ? undefined : b };
  });
}
