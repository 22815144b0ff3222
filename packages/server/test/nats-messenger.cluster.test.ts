import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { connect } from 'nats';
import type { AppRequest, AppResponse, Delivery } from '../src/messenger/messenger.ts';
import { deleteNatsStreams, NatsMessenger, type NatsMessengerOptions } from '../src/messenger/nats.ts';
import { freePort, startChild } from './helpers/processes.ts';
import { TEST_NATS_URL as NATS_URL } from './helpers/profile.ts';

// The NATS messenger against a real nats-server with JetStream (127.0.0.1:4222 unless
// POD_TEST_NATS_URL says otherwise). Each test uses its own prefix, so its own stream and
// subjects, and deletes the stream at the end. The test runner runs this file only in the
// distributed pass, when NATS answers. Whole pods on NATS are the distributed pass of every
// other test.
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
  for (const prefix of prefixes) await deleteNatsStreams(NATS_URL, prefix);
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

describe('NATS messenger', () => {
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
    // Requests made in one turn of the event loop travel as one message; these come one per turn.
    const pending: Array<Promise<AppResponse>> = [];
    for (const r of requests) {
      pending.push(client.request('work', r, 10_000));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const answers = await Promise.all(pending);
    answers.forEach((answer, i) => assert.deepEqual(answer.ok && (answer.body as { id: string }).id, requests[i]!.id));
    assert.equal(handled.length, 60, 'each request ran once');
    assert.equal(new Set(handled.map((h) => h.id)).size, 60);
    const byA = handled.filter((h) => h.instance === 'a').length;
    assert.ok(byA > 0 && byA < 60, `both instances took work (a: ${byA}, b: ${60 - byA})`);
  });

  it('carries the requests one process makes in one turn as few messages, and answers each with its own answer', async () => {
    const prefix = newPrefix();
    const server = await messenger(prefix);
    await server.consume('echo', async (r) => ({ ok: true, body: { id: r.id, user: r.caller?.userId ?? null } }));
    const client = await messenger(prefix);
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await nc.jetstreamManager();
      const before = (await jsm.streams.info(`${prefix}-apps`)).state.last_seq;
      const requests = Array.from({ length: 500 }, (_, i) => req('echo.it', { text: 'x'.repeat(i % 50) }, i % 2 === 0 ? 1 + (i % 7) : undefined));
      const answers = await Promise.all(requests.map((r) => client.request('echo', r, 10_000)));
      answers.forEach((answer, i) => assert.deepEqual(answer, { ok: true, body: { id: requests[i]!.id, user: requests[i]!.caller?.userId ?? null } }));
      const messages = (await jsm.streams.info(`${prefix}-apps`)).state.last_seq - before;
      assert.ok(messages >= 1 && messages <= 2, `500 requests in one turn took ${messages} messages`);
    } finally {
      await nc.close();
    }
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

  it('answers a retry through another process as well as its original, and never answers another user\'s request with the same id', async () => {
    const prefix = newPrefix();
    const client = await messenger(prefix);
    const retrier = await messenger(prefix);
    const request = req('slow.do', { n: 1 }, 9);
    // No consumer yet: the request waits in the queue, and its retry arrives while it waits.
    const first = client.request('slow', request, 10_000);
    const retry = retrier.request('slow', request, 10_000);
    const sameIdOtherUser = client.request('slow', { ...request, caller: caller(10) }, 10_000);
    // The app's store keeps one answer per user and request id: the messenger carries each
    // attempt to it, and each attempt's answer to the user's subject.
    const log = new Map<string, AppResponse>();
    const seen: string[] = [];
    const server = await messenger(prefix);
    await server.consume('slow', async (r) => {
      const key = `${r.caller?.userId} ${r.id}`;
      seen.push(key);
      await sleep(20);
      if (!log.has(key)) log.set(key, { ok: true, body: { user: r.caller?.userId, run: log.size + 1 } });
      return log.get(key)!;
    });
    const [a, b, c] = await Promise.all([first, retry, sameIdOtherUser]);
    assert.deepEqual(a, b, 'the original and its retry get the same answer');
    assert.deepEqual(c.ok && (c.body as { user: number }).user, 10);
    assert.deepEqual(a.ok && (a.body as { user: number }).user, 9);
    assert.deepEqual(seen.filter((key) => key === `9 ${request.id}`).length, 2, 'the retry reached the app too');
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

describe('NATS messenger on a server that requires a password', () => {
  it('signs in with the credentials in the URL, and never names the password in an error', async () => {
    const port = await freePort();
    const storeDir = mkdtempSync(join(tmpdir(), 'pod-nats-auth-'));
    const { child } = await startChild('/usr/sbin/nats-server', ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port), '--user', 'pod', '--pass', 's3cret/pw'], (line) =>
      line.includes('Server is ready') ? true : undefined,
    );
    try {
      const url = `nats://pod:${encodeURIComponent('s3cret/pw')}@127.0.0.1:${port}`;
      const server = await NatsMessenger.connect({ url, prefix: 'auth' });
      try {
        await server.consume('echo', async (request) => ({ ok: true, body: request.body }));
        assert.deepEqual(await server.request('echo', req('echo.it', { hi: 1 }, 3)), { ok: true, body: { hi: 1 } });
      } finally {
        await server.close();
      }
      await assert.rejects(NatsMessenger.connect({ url: `nats://pod:wrong-password@127.0.0.1:${port}`, prefix: 'auth' }), (error: Error) => {
        assert.match(error.message, /cannot reach NATS at nats:\/\/\*\*\*@127\.0\.0\.1/);
        assert.doesNotMatch(error.message, /wrong-password/);
        return true;
      });
    } finally {
      await child.kill('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
