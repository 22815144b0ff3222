import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { after, describe, it } from 'node:test';
import type { AppRequest, AppResponse, Delivery } from '../src/messenger/messenger.ts';
import { deleteNatsStreams, NatsMessenger, type NatsMessengerOptions } from '../src/messenger/nats.ts';
import { nextEvent, startTestPod } from './helpers/pod.ts';

// The NATS messenger against a real nats-server with JetStream (127.0.0.1:4222 unless
// POD_TEST_NATS_URL says otherwise). Each test uses its own prefix, so its own stream and
// subjects, and deletes the stream at the end.

const NATS_URL = process.env.POD_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const required = process.env.POD_REQUIRE_SERVICES === '1';

function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url.split(',')[0]!);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port || 4222), timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

const natsUp = await answers(NATS_URL);
// Without NATS the tests say so and do not run, unless services are required (CI): then they fail.
const skip = natsUp || required ? false : `NATS does not answer at ${NATS_URL} (set POD_REQUIRE_SERVICES=1 to make this a failure)`;

const prefixes: string[] = [];
const open: NatsMessenger[] = [];

function newPrefix(): string {
  const prefix = `test-${randomUUID().slice(0, 12)}`;
  prefixes.push(prefix);
  return prefix;
}

async function messenger(prefix: string, options: Partial<NatsMessengerOptions> = {}): Promise<NatsMessenger> {
  const m = await NatsMessenger.connect({ url: NATS_URL, prefix, ...options });
  open.push(m);
  return m;
}

after(async () => {
  for (const m of open) await m.close().catch(() => {});
  if (natsUp) for (const prefix of prefixes) await deleteNatsStreams(NATS_URL, prefix);
});

const caller = (userId: number) => ({ userId, name: `user${userId}`, admin: false, session: `session-${userId}` });
const req = (op: string, body: unknown, userId?: number, id: string = randomUUID()): AppRequest => ({ id, op, body, ...(userId === undefined ? {} : { caller: caller(userId) }) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitFor<T>(list: T[], count: number, ms = 5000): Promise<void> {
  const start = Date.now();
  return (async () => {
    while (list.length < count) {
      if (Date.now() - start > ms) throw new Error(`waited ${ms} ms for ${count} items, have ${list.length}`);
      await sleep(10);
    }
  })();
}

describe('NATS messenger', { skip }, () => {
  it('answers a request through the work queue, JSON in and out, and says unavailable when no one consumes', async () => {
    const prefix = newPrefix();
    const server = await messenger(prefix);
    const client = await messenger(prefix);
    await server.consume('echo', async (request) => ({ ok: true, body: { op: request.op, body: request.body, user: request.caller?.userId } }));
    const answer = await client.request('echo', req('echo.it', { text: 'hi', at: 3 }, 7));
    assert.deepEqual(answer, { ok: true, body: { op: 'echo.it', body: { text: 'hi', at: 3 }, user: 7 } });
    const internal = await client.request('echo', req('echo.internal', [1, 2]));
    assert.deepEqual(internal, { ok: true, body: { op: 'echo.internal', body: [1, 2] } });
    const nobody = await client.request('nobody', req('nobody.home', {}, 7), 300);
    assert.equal(nobody.ok, false);
    assert.equal(!nobody.ok && nobody.error.code, 'unavailable');
  });

  it('shares one app\'s work between competing instances, each request answered once', async () => {
    const prefix = newPrefix();
    const handled: Array<{ instance: string; id: string }> = [];
    const serve = (instance: string) => async (request: AppRequest): Promise<AppResponse> => {
      handled.push({ instance, id: request.id });
      await sleep(15);
      return { ok: true, body: { id: request.id, instance } };
    };
    const a = await messenger(prefix, { maxInFlight: 4 });
    const b = await messenger(prefix, { maxInFlight: 4 });
    await a.consume('work', serve('a'));
    await b.consume('work', serve('b'));
    const client = await messenger(prefix);
    const requests = Array.from({ length: 60 }, (_, i) => req('work.do', { i }, 1 + (i % 5)));
    const answers = await Promise.all(requests.map((r) => client.request('work', r, 10_000)));
    answers.forEach((answer, i) => assert.deepEqual(answer.ok && (answer.body as { id: string }).id, requests[i]!.id));
    assert.equal(handled.length, 60, 'each request ran once');
    assert.equal(new Set(handled.map((h) => h.id)).size, 60);
    const byA = handled.filter((h) => h.instance === 'a').length;
    assert.ok(byA > 0 && byA < 60, `both instances took work (a: ${byA}, b: ${60 - byA})`);
  });

  it('redelivers a request whose consumer died before acknowledging it to another instance, which answers', async () => {
    const prefix = newPrefix();
    const tuning = { ackWaitMs: 1000, pullExpiresMs: 2000 };
    const doomed = await messenger(prefix, tuning);
    const taken: string[] = [];
    await doomed.consume('fragile', async (request) => {
      taken.push(request.id);
      return new Promise<AppResponse>(() => {}); // never answers: it is about to crash
    });
    const client = await messenger(prefix);
    const request = req('fragile.do', { n: 1 }, 3);
    const answer = client.request('fragile', request, 15_000);
    await waitFor(taken, 1);
    await doomed.abort();
    const survivor = await messenger(prefix, tuning);
    const survived: string[] = [];
    await survivor.consume('fragile', async (r) => {
      survived.push(r.id);
      return { ok: true, body: { by: 'survivor' } };
    });
    assert.deepEqual(await answer, { ok: true, body: { by: 'survivor' } });
    assert.deepEqual(taken, [request.id]);
    assert.deepEqual(survived, [request.id]);
  });

  it('drops a retried request with the same id within the duplicate window: the handler runs once and both attempts get its answer', async () => {
    const prefix = newPrefix();
    const client = await messenger(prefix);
    const retrier = await messenger(prefix);
    const request = req('slow.do', { n: 1 }, 9);
    // No consumer yet: the request waits in the queue, and its retry arrives while it waits.
    const first = client.request('slow', request, 10_000);
    await sleep(200);
    const retry = retrier.request('slow', request, 10_000);
    await sleep(200);
    let runs = 0;
    const server = await messenger(prefix);
    await server.consume('slow', async (r) => {
      runs++;
      await sleep(50);
      return { ok: true, body: { id: r.id, run: runs } };
    });
    assert.deepEqual(await first, { ok: true, body: { id: request.id, run: 1 } });
    assert.deepEqual(await retry, { ok: true, body: { id: request.id, run: 1 } });
    assert.equal(runs, 1);
    // After the answer the request has left the queue: a late retry runs again (the app's store
    // repeats its recorded answer), rather than waiting for an answer that already went out.
    const late = await client.request('slow', request, 5000);
    assert.equal(late.ok, true);
    assert.equal(runs, 2);
    // Another user's request with the same id is not a duplicate.
    const other = await client.request('slow', { ...request, caller: caller(10) }, 5000);
    assert.equal(other.ok, true);
    assert.equal(runs, 3);
  });

  it('routes a delivery only to the processes subscribed to that user', async () => {
    const prefix = newPrefix();
    const gatewayA = await messenger(prefix);
    const gatewayB = await messenger(prefix);
    const app = await messenger(prefix);
    const atA: Delivery[] = [];
    const atB: Delivery[] = [];
    const stopA = gatewayA.subscribe(1, (d) => atA.push(d));
    gatewayB.subscribe(2, (d) => atB.push(d));
    await gatewayA.flush();
    await gatewayB.flush();
    app.publish(1, { kind: 'transient', type: 'presence.changed', body: { name: 'one' } });
    app.publish(3, { kind: 'revoke', sessions: 'all' });
    await app.flush();
    await waitFor(atA, 1);
    await sleep(100);
    assert.deepEqual(atA, [{ kind: 'transient', type: 'presence.changed', body: { name: 'one' } }]);
    assert.deepEqual(atB, []);
    stopA();
    await gatewayA.flush();
    app.publish(1, { kind: 'revoke', sessions: ['s'] });
    await app.flush();
    await sleep(100);
    assert.equal(atA.length, 1, 'nothing arrives after unsubscribing');
  });

  it('splits a delivery of many stored events to fit NATS\'s payload limit', async () => {
    const prefix = newPrefix();
    const gateway = await messenger(prefix);
    const app = await messenger(prefix);
    const got: Delivery[] = [];
    gateway.subscribe(5, (d) => got.push(d));
    await gateway.flush();
    const text = 'x'.repeat(10_000);
    const events = Array.from({ length: 300 }, (_, i) => ({ seq: i + 1, type: 'im.message', body: { text }, at: '2026-01-01T00:00:00Z' }));
    app.publish(5, { kind: 'events', events, committedAt: 1 } as unknown as Delivery);
    await app.flush();
    const seqs = (): number[] => got.flatMap((d) => (d.kind === 'events' ? d.events.map((e) => e.seq) : []));
    const start = Date.now();
    while (seqs().length < 300 && Date.now() - start < 5000) await sleep(10);
    assert.deepEqual(seqs(), events.map((e) => e.seq));
    assert.ok(got.length > 1);
  });

  it('broadcasts to every process listening, and tells listeners "anything may have changed" (null) after a reconnect', async () => {
    const prefix = newPrefix();
    const one = await messenger(prefix);
    const two = await messenger(prefix);
    const heardOne: unknown[] = [];
    const heardTwo: unknown[] = [];
    one.onBroadcast('directory.relations', (p) => heardOne.push(p));
    two.onBroadcast('directory.relations', (p) => heardTwo.push(p));
    await one.flush();
    await two.flush();
    const sender = await messenger(prefix);
    sender.broadcast('directory.relations', { userIds: [1, 2] });
    await waitFor(heardOne, 1);
    await waitFor(heardTwo, 1);
    assert.deepEqual(heardOne, [{ userIds: [1, 2] }]);
    assert.deepEqual(heardTwo, [{ userIds: [1, 2] }]);
    await (one as unknown as { nc: { reconnect(): Promise<void> } }).nc.reconnect();
    await waitFor(heardOne, 2);
    assert.deepEqual(heardOne[1], null);
  });
});

describe('a whole pod on NATS (SQLite store)', { skip }, () => {
  it('lets two users exchange messages live through the SDK', async () => {
    const prefix = newPrefix();
    const pod = await startTestPod({ natsUrl: NATS_URL, natsPrefix: prefix });
    try {
      const alice = await pod.user('alice', { messagesFrom: 'anyone' });
      const bob = await pod.user('bob', { messagesFrom: 'anyone' });
      const aliceClient = await alice.connect();
      const bobClient = await bob.connect();
      const toBob = nextEvent(bobClient, (e) => e.type === 'im.message');
      const sent = await aliceClient.request('im.send', { to: 'bob', text: 'hello over NATS' });
      const event = await toBob;
      assert.deepEqual(event.type === 'im.message' && { id: event.body.id, text: event.body.text, from: event.body.from }, { id: sent.id, text: 'hello over NATS', from: 'alice' });
      const toAlice = nextEvent(aliceClient, (e) => e.type === 'im.message');
      const reply = await bobClient.request('im.send', { to: 'alice', text: 'hello back' });
      const back = await toAlice;
      assert.deepEqual(back.type === 'im.message' && { id: back.body.id, from: back.body.from }, { id: reply.id, from: 'bob' });
    } finally {
      await pod.close();
    }
  });
});
