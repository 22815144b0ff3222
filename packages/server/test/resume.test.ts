import { callOp, connectNode, type PodClient, type PodEvent } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import { killableSockets } from './helpers/killable.ts';
import { nextEvent, startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';
import { RawSocket } from './helpers/raw-socket.ts';

type Mailbox = { events: Array<{ seq: number; type: string; body: { id?: string; text?: string } }>; head: number };

async function pollMailbox(pod: TestPod, user: TestUser, query: string): Promise<{ mailbox: Mailbox; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${pod.url}/v1/mailbox?${query}`, { headers: { authorization: `Bearer ${user.token}` } });
  assert.equal(response.status, 200);
  return { mailbox: (await response.json()) as Mailbox, ms: performance.now() - started };
}

/** Runs `count` tasks with at most `width` in flight: many concurrent requests, bounded. */
async function concurrently<T>(count: number, width: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** Collects a client's messages, resolving once `count` have arrived (or failing after `ms`). */
function collectMessages(client: PodClient, count: number, ms: number): { messages: PodEvent[]; all: Promise<PodEvent[]> } {
  const messages: PodEvent[] = [];
  const all = new Promise<PodEvent[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${messages.length} of ${count} messages arrived within ${ms} ms`)), ms);
    client.on('im.message', (event) => {
      messages.push(event);
      if (messages.length === count) {
        clearTimeout(timer);
        resolve(messages);
      }
    });
  });
  return { messages, all };
}

/** Each seq once, in order, with no gap from `first`. */
function assertContiguous(events: PodEvent[], first: number): void {
  const seqs = events.map((e) => e.seq);
  const expected = events.map((_, i) => first + i);
  assert.deepEqual(seqs, expected, 'every event exactly once, in seq order, without a gap');
}

describe('delivery guarantees, end to end through the SDK', () => {
  let pod: TestPod;
  let ann: TestUser;
  before(async () => {
    pod = await startTestPod();
    ann = await pod.user('ann', { messagesFrom: 'anyone' });
  });
  after(() => pod.close());

  it('resumes a recipient whose socket is killed mid-stream with every message exactly once and no gap', async () => {
    const bob = await pod.user('bob', { messagesFrom: 'anyone' });
    const sockets = killableSockets();
    const client = connectNode({ url: pod.url, token: bob.token, WebSocket: sockets.WebSocket, deliveryReceipts: false, requestTimeoutMs: 5000 });
    const { messages, all } = collectMessages(client, 500, 30_000);
    client.on('im.message', () => {
      // Cut the network twice while the sender is still busy.
      if (messages.length === 50 || messages.length === 250) sockets.kill();
    });
    await client.connect();
    const sent = await concurrently(500, 20, (i) => ann.op('im.send', { to: 'bob', text: `stream ${i}` }));
    await all;
    client.close();
    assert.ok(sockets.opened() >= 3, `the SDK reconnected after each cut (${sockets.opened()} sockets)`);
    assertContiguous(messages, 1);
    assert.deepEqual(new Set(messages.map((m) => m.type === 'im.message' && m.body.id)), new Set(sent.map((m) => m.id)));
    assert.equal((await bob.op('im.history', { with: 'ann', limit: 200 })).messages.length, 200, 'the history holds them once');
  });

  it('stores a request retried with the same id on a socket once and answers both tries identically', async () => {
    const cat = await pod.user('cat', { messagesFrom: 'anyone' });
    const socket = await RawSocket.open(pod.url);
    await socket.hello(ann.token);
    const frame = JSON.stringify({ t: 'req', id: 'retry-1', op: 'im.send', body: { to: 'cat', text: 'only once' } });
    socket.send(frame);
    socket.send(frame);
    const first = await socket.take((f) => f.t === 'res' && f.id === 'retry-1');
    const second = await socket.take((f) => f.t === 'res' && f.id === 'retry-1');
    socket.send(frame);
    const late = await socket.take((f) => f.t === 'res' && f.id === 'retry-1');
    assert.equal(first?.ok, true);
    assert.deepEqual(second, first);
    assert.deepEqual(late, first, 'a retry after the answer gets the same answer');
    socket.send({ t: 'req', id: 'retry-1', op: 'buddies.add', body: { name: 'cat' } });
    const reused = await socket.take((f) => f.t === 'res' && f.id === 'retry-1');
    assert.equal(reused?.ok === false && (reused.error as { code: string }).code, 'conflict', 'an id reused for another operation is refused');
    socket.close();
    const history = await cat.op('im.history', { with: 'ann' });
    assert.deepEqual(history.messages.map((m) => m.text), ['only once']);
  });

  it('answers a retry with its original\'s answer even where doing it again would now fail', async () => {
    await pod.user('flo');
    const socket = await RawSocket.open(pod.url);
    await socket.hello(ann.token);
    // Asking twice is refused (a request is already waiting), but a retry of the first ask is not a second ask.
    const frame = JSON.stringify({ t: 'req', id: 'ask-flo-1', op: 'buddies.add', body: { name: 'flo' } });
    socket.send(frame);
    const first = await socket.take((f) => f.t === 'res' && f.id === 'ask-flo-1');
    socket.send(frame);
    const retried = await socket.take((f) => f.t === 'res' && f.id === 'ask-flo-1');
    socket.send({ t: 'req', id: 'ask-flo-2', op: 'buddies.add', body: { name: 'flo' } });
    const secondAsk = await socket.take((f) => f.t === 'res' && f.id === 'ask-flo-2');
    socket.close();
    assert.equal(first?.ok, true);
    assert.deepEqual(retried, first);
    assert.equal(secondAsk?.ok === false && (secondAsk.error as { code: string }).code, 'conflict');
  });

  it('stores an HTTP request retried with the same Idempotency-Key once and answers both tries identically', async () => {
    const dan = await pod.user('dan', { messagesFrom: 'anyone' });
    const send = () => callOp(pod.url, ann.token, 'im.send', { to: 'dan', text: 'exactly one' }, { requestId: 'http-retry-1' });
    const [first, concurrent] = await Promise.all([send(), send()]);
    const retried = await send();
    assert.deepEqual(concurrent, first);
    assert.deepEqual(retried, first);
    const history = await dan.op('im.history', { with: 'ann' });
    assert.deepEqual(history.messages.map((m) => m.id), [first.id]);
    const { mailbox } = await pollMailbox(pod, dan, 'after=0');
    assert.equal(mailbox.events.filter((e) => e.type === 'im.message').length, 1, 'one event in the mailbox');
  });

  it('resumes a device that was away while 10,000 events accrued with all of them, in order', async () => {
    const eve = await pod.user('eve', { messagesFrom: 'anyone' });
    const first = connectNode({ url: pod.url, token: eve.token, deliveryReceipts: false });
    await first.connect();
    const awayFrom = first.lastSeq;
    first.close();

    // Four sockets with 50 requests in flight each, under the gateway's 64 per socket.
    const senders = await Promise.all(Array.from({ length: 4 }, () => ann.connect({ deliveryReceipts: false })));
    let next = 0;
    await Promise.all(
      senders.flatMap((sender) =>
        Array.from({ length: 50 }, async () => {
          while (next < 10_000) await sender.request('im.send', { to: 'eve', text: `while away ${next++}` });
        }),
      ),
    );
    for (const sender of senders) sender.close();

    const back = connectNode({ url: pod.url, token: eve.token, after: awayFrom, deliveryReceipts: false });
    const { messages, all } = collectMessages(back, 10_000, 60_000);
    await back.connect();
    await all;
    back.close();
    assertContiguous(messages, awayFrom + 1);
    const orders = messages.map((m) => (m.type === 'im.message' ? m.body.order : -1));
    assert.deepEqual(orders, [...orders].sort((x, y) => x - y), 'the conversation order matches the mailbox order');
    assert.equal(new Set(messages.map((m) => m.type === 'im.message' && m.body.text)).size, 10_000);
  });

  it('long-polls: answers at once when events wait, as soon as one arrives while waiting, and empty after the wait', async () => {
    const fay = await pod.user('fay', { messagesFrom: 'anyone' });
    await ann.op('im.send', { to: 'fay', text: 'already there' });
    const ready = await pollMailbox(pod, fay, 'after=0&wait=5');
    assert.deepEqual(ready.mailbox.events.map((e) => e.body.text), ['already there']);
    assert.ok(ready.ms < 1000, `answered at once (${Math.round(ready.ms)} ms)`);

    const head = ready.mailbox.head;
    const waiting = pollMailbox(pod, fay, `after=${head}&wait=5`);
    // Whether the server is parked cannot be seen from outside; a short pause makes the send
    // land while it waits (had it landed earlier, the first read would return it anyway).
    await pause(300);
    const sentAt = performance.now();
    await ann.op('im.send', { to: 'fay', text: 'while you wait' });
    const woken = await waiting;
    assert.deepEqual(woken.mailbox.events.map((e) => e.body.text), ['while you wait']);
    assert.ok(performance.now() - sentAt < 1000, 'answered as soon as the event arrived, not at the end of the wait');

    const empty = await pollMailbox(pod, fay, `after=${woken.mailbox.head}&wait=1`);
    assert.deepEqual(empty.mailbox.events, []);
    assert.equal(empty.mailbox.head, woken.mailbox.head);
    assert.ok(empty.ms >= 900, `held the request for the wait (${Math.round(empty.ms)} ms)`);
  });

  it('lets user C read neither A and B\'s history nor their mailbox events', async () => {
    const gus = await pod.user('gus', { messagesFrom: 'anyone' });
    const cy = await pod.user('cy', { messagesFrom: 'anyone' });
    const cyClient = await cy.connect();
    const cyEvents: PodEvent[] = [];
    cyClient.on('*', (event) => cyEvents.push(event));
    const between = await ann.op('im.send', { to: 'gus', text: 'just between us' });
    await gus.op('im.send', { to: 'ann', text: 'agreed' });
    // A message to C fences the live stream: anything of A and B's would have come first.
    const fence = nextEvent(cyClient, (e) => e.type === 'im.message');
    await ann.op('im.send', { to: 'cy', text: 'hi cy' });
    await fence;
    cyClient.close();
    assert.deepEqual(cyEvents.filter((e) => e.seq !== undefined).map((e) => e.type === 'im.message' && e.body.text), ['hi cy'], 'no stored event of theirs reached C');

    assert.deepEqual((await cy.op('im.history', { with: 'gus' })).messages, []);
    assert.deepEqual((await cy.op('im.history', { with: 'ann' })).messages.map((m) => m.text), ['hi cy'], 'only C–A messages');
    assert.deepEqual((await cy.op('im.conversations', {})).conversations.map((c) => c.with), ['ann']);
    const { mailbox } = await pollMailbox(pod, cy, 'after=0');
    assert.deepEqual(mailbox.events.filter((e) => e.type === 'im.message').map((e) => e.body.text), ['hi cy']);
    const everything = JSON.stringify([mailbox, cyEvents]);
    for (const secret of [between.id, 'just between us', 'agreed']) assert.ok(!everything.includes(secret), `C saw ${secret}`);

    assert.deepEqual(await cy.op('im.receipt', { ids: [between.id], kind: 'read' }), { updated: 0 }, 'C cannot mark their messages read');
    const untouched = (await gus.op('im.history', { with: 'ann' })).messages.find((m) => m.id === between.id);
    assert.equal(untouched?.readAt, null);
  });

  it('bug: a long-poll naming an after beyond the head stored a cursor past it, so the device skipped later events', async () => {
    const hal = await pod.user('hal', { messagesFrom: 'anyone' });
    const { mailbox } = await pollMailbox(pod, hal, 'after=1000');
    assert.deepEqual(mailbox, { events: [], head: 0 });
    await pod.restart(); // writes the batched cursors
    await ann.op('im.send', { to: 'hal', text: 'one' });
    await ann.op('im.send', { to: 'hal', text: 'two' });
    const { client, events } = await hal.connectCollecting({ deliveryReceipts: false });
    client.close();
    assert.deepEqual(events.flatMap((e) => (e.type === 'im.message' ? [e.body.text] : [])), ['one', 'two']);
  });
});
