import { clientFrame, errorBody, errorCatalogue, findOp, isErrorCode, MAX_FRAME_BYTES } from '@pod/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { httpProbe, socketScenario, type FuzzFrame, type KnownValues, type SocketScenario } from './helpers/fuzz-inputs.ts';
import { nextEvent, startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';
import { RawSocket, type Frame } from './helpers/raw-socket.ts';

/** Every text the victims exchange starts with this, so a leak shows up in any answer. */
const SECRET = 'secret-between-a-and-b';

/** Everything a and b can see of their own stored data, with refusals kept as their codes. */
async function snapshot(pod: TestPod, a: TestUser, b: TestUser): Promise<Record<string, unknown>> {
  const attempt = (user: TestUser, op: Parameters<TestUser['op']>[0], body: object) => user.op(op, body as never).catch((error: { code?: string }) => ({ refused: error.code }));
  const mailbox = async (user: TestUser) => (await fetch(`${pod.url}/v1/mailbox?after=0&limit=1000`, { headers: { authorization: `Bearer ${user.token}` } })).json();
  const state: Record<string, unknown> = {};
  for (const user of [a, b]) {
    state[`${user.name}.history`] = await attempt(user, 'im.history', { with: user === a ? 'b' : 'a' });
    state[`${user.name}.mailbox`] = await mailbox(user);
    state[`${user.name}.buddies`] = await attempt(user, 'buddies.list', {});
    state[`${user.name}.profile`] = await attempt(user, 'profile.get', {});
    state[`${user.name}.settings`] = await attempt(user, 'settings.get', {});
    state[`${user.name}.sessions`] = await attempt(user, 'auth.sessions', {});
  }
  return state;
}

function assertCodedRefusal(frame: Frame, context: string): void {
  assert.equal(frame.t, 'res', `${context}: expected an answer, got ${JSON.stringify(frame)}`);
  if (frame.ok === true) return;
  const parsed = errorBody.safeParse(frame.error);
  assert.ok(parsed.success && isErrorCode(parsed.data.code), `${context}: the refusal carries no known code: ${JSON.stringify(frame)}`);
  assert.notEqual(parsed.data.code, 'internal', `${context}: bad input produced an internal error: ${JSON.stringify(frame)}`);
  assert.ok(parsed.data.message.length > 0, `${context}: the refusal says what was wrong`);
}

/** How the gateway sees a frame, so the test knows which answer to wait for. */
function classify(frame: FuzzFrame): ReturnType<typeof clientFrame.safeParse> | undefined {
  if (frame.kind !== 'text') return undefined;
  try {
    return clientFrame.safeParse(JSON.parse(frame.data));
  } catch {
    return undefined;
  }
}

/**
 * Sends each frame and waits for what it must cause before sending the next, checking every
 * answer: a coded refusal (never internal), a pong, a welcome, or the close it deserves.
 */
async function runScenario(url: string, known: KnownValues, scenario: SocketScenario): Promise<void> {
  const socket = await RawSocket.open(url, scenario.auth === 'header' ? { authorization: `Bearer ${known.token}` } : {});
  try {
    let greeted = false;
    if (scenario.auth === 'hello') {
      assert.equal((await socket.hello(known.token))?.t, 'welcome');
      greeted = true;
    }
    for (const [index, frame] of scenario.frames.entries()) {
      if (!socket.isOpen) break;
      const context = `frame ${index} ${frame.kind} ${frame.kind === 'binary' ? '' : frame.data.slice(0, 200)}`;
      socket.send(frame.kind === 'binary' ? Buffer.from(frame.data) : frame.data);
      if (frame.kind === 'oversized') {
        assert.ok(Buffer.byteLength(frame.data) > MAX_FRAME_BYTES);
        assert.equal(await socket.closed, 1009, `${context}: an oversized frame closes the socket with 1009`);
        return;
      }
      const parsed = classify(frame);
      if (!parsed?.success) {
        const answer = await socket.take((f) => f.t === 'res' && f.id === null);
        assert.ok(answer, `${context}: the socket closed instead of answering`);
        assertCodedRefusal(answer, context);
        assert.ok(['invalid', 'too_large'].includes((answer.error as { code: string }).code), `${context}: a frame that is not a valid frame is invalid (or too large)`);
        continue;
      }
      const sent = parsed.data;
      if (sent.t === 'req') {
        const answer = await socket.take((f) => f.t === 'res' && f.id === sent.id);
        assert.ok(answer, `${context}: the socket closed instead of answering`);
        assertCodedRefusal(answer, context);
        const def = findOp(sent.op);
        const code = answer.ok ? 'ok' : (answer.error as { code: string }).code;
        if (!def || def.access === 'internal') assert.equal(code, 'not_found', `${context}: internal and unknown operations do not exist for clients`);
        else if (!greeted && def.access !== 'public') assert.equal(code, 'unauthorized', context);
      } else if (sent.t === 'hello') {
        const answer = await socket.take((f) => f.t === 'welcome' || (f.t === 'res' && f.id === null));
        if (greeted) {
          assert.ok(answer?.t === 'res', `${context}: a second hello is refused`);
          assertCodedRefusal(answer, context);
        } else if (answer?.t === 'welcome') {
          assert.ok(scenario.auth === 'header' || sent.token === known.token, `${context}: a bad token was accepted`);
          assert.equal((await socket.take((f) => f.t === 'synced'))?.t, 'synced');
          greeted = true;
        } else {
          assert.ok(answer, `${context}: the socket closed without saying why`);
          assertCodedRefusal(answer, context);
          assert.equal(await socket.closed, 4001, `${context}: a refused hello closes the socket with 4001`);
          return;
        }
      } else if (sent.t === 'ping') {
        assert.ok(await socket.take((f) => f.t === 'pong'), `${context}: the socket closed instead of answering`);
      } else {
        // An ack is refused at once or not answered at all; a ping behind it fences the refusal.
        socket.send({ t: 'ping' });
        assert.ok(await socket.take((f) => f.t === 'pong'), `${context}: the socket closed`);
        const refusal = socket.takeReceived((f) => f.t === 'res' && f.id === null);
        if (!greeted || sent.seq > 0) {
          assert.ok(refusal, `${context}: an ack before hello or beyond the last event sent is refused`);
          assertCodedRefusal(refusal, context);
        } else assert.equal(refusal, undefined, `${context}: an ack of what was sent is accepted`);
      }
    }
    for (const frame of socket.frames) if (frame.t === 'res') assertCodedRefusal(frame, 'a late answer');
    assert.ok(!JSON.stringify(socket.frames).includes(SECRET), 'an answer revealed a message between other users');
    assert.equal(socket.closedWith, undefined, `the server closed the socket (${socket.closedWith}) on input that does not call for it`);
  } finally {
    socket.close();
  }
}

describe('a running gateway under random and mutated input', () => {
  let pod: TestPod;
  let a: TestUser;
  let b: TestUser;
  let known: KnownValues;
  let before_: Record<string, unknown>;

  before(async () => {
    pod = await startTestPod();
    a = await pod.user('a', { messagesFrom: 'anyone' });
    b = await pod.user('b', { messagesFrom: 'anyone' });
    const mallory = await pod.user('mallory');
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await a.op('im.send', { to: 'b', text: `${SECRET} #${i}` }));
    known = { token: mallory.token, victimToken: b.token, victimMessageIds: sent.map((m) => m.id), victimNames: ['a', 'b'] };
    before_ = await snapshot(pod, a, b);
  });
  after(() => pod.close());

  it('answers every malformed or misplaced frame with a coded refusal, never internal, and closes only for oversized frames and bad hellos', async () => {
    await fc.assert(
      fc.asyncProperty(socketScenario(known), (scenario) => runScenario(pod.url, known, scenario)),
      { numRuns: 200 },
    );
  });

  it('refuses a WebSocket upgrade carrying a bad token with 401, before any frame', async () => {
    for (const token of ['nope', 'x'.repeat(500), `${known.token}x`]) {
      await assert.rejects(RawSocket.open(pod.url, { authorization: `Bearer ${token}` }), /HTTP 401/);
    }
  });

  it('answers random HTTP requests with a coded 4xx error or a success, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(httpProbe(known), async (probe) => {
        const response = await fetch(`${pod.url}${probe.path}`, { method: probe.method, headers: probe.headers, body: probe.body });
        const text = await response.text();
        const context = `${probe.method} ${probe.path} ${JSON.stringify(probe.headers)} ${probe.body?.slice(0, 200)} -> ${response.status} ${text.slice(0, 300)}`;
        assert.ok(response.status < 500, context);
        assert.ok(!text.includes(SECRET), `an answer revealed a message between other users: ${context}`);
        if (response.ok) return;
        const parsed = errorBody.safeParse((JSON.parse(text) as { error?: unknown }).error);
        assert.ok(parsed.success, `the refusal is not a Pod error: ${context}`);
        assert.equal(response.status, errorCatalogue[parsed.data.code as keyof typeof errorCatalogue].status, `the status matches the code: ${context}`);
      }),
      { numRuns: 200 },
    );
  });

  it('afterwards still serves honest clients, and a and b kept every stored byte', async () => {
    const health = await fetch(`${pod.url}/healthz`);
    assert.equal(health.status, 200);
    const bClient = await b.connect({ deliveryReceipts: false });
    const arrival = nextEvent(bClient, (e) => e.type === 'im.message');
    const honest = await a.op('im.send', { to: 'b', text: 'still here?' });
    const received = await arrival;
    assert.equal(received.type === 'im.message' && received.body.id, honest.id);
    bClient.close();

    const now = await snapshot(pod, a, b);
    for (const name of ['a', 'b']) {
      const history = now[`${name}.history`] as { messages: unknown[] };
      const earlier = before_[`${name}.history`] as { messages: unknown[] };
      assert.deepEqual(history.messages, [...earlier.messages, honest], `${name}'s conversation gained only the honest message`);
      const mailbox = now[`${name}.mailbox`] as { events: Array<{ seq: number; body: unknown }>; head: number };
      const earlierMailbox = before_[`${name}.mailbox`] as { events: unknown[]; head: number };
      assert.deepEqual(mailbox.events.slice(0, -1), earlierMailbox.events, `${name}'s mailbox lost or changed nothing`);
      assert.deepEqual(mailbox.events.at(-1), { seq: earlierMailbox.head + 1, type: 'im.message', body: honest });
      for (const part of ['buddies', 'profile', 'settings']) {
        assert.deepEqual(now[`${name}.${part}`], before_[`${name}.${part}`], `${name}'s ${part} did not change`);
      }
      const sessions = (s: unknown) => (s as { sessions: Array<{ id: string }> }).sessions.map((x) => x.id);
      assert.deepEqual(sessions(now[`${name}.sessions`]), sessions(before_[`${name}.sessions`]), `${name}'s sessions did not change`);
    }
  });
});
