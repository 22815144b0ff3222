import { applyHistoryEvent, PodError, type ImMessage, type PodEvent } from '@pod/sdk';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { befriend, nextEvent, startTestPod, type TestPod } from './helpers/pod.ts';

describe('instant messages, embedded profile', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('delivers a message live to a connected recipient who accepts messages from anyone', async () => {
    const alice = await pod.user('alice');
    const bob = await pod.user('bob', { messagesFrom: 'anyone' });
    const bobClient = await bob.connect();
    const arrival = nextEvent(bobClient, (e) => e.type === 'im.message');
    const sent = await alice.op('im.send', { to: 'bob', text: 'hello bob' });
    const event = await arrival;
    assert.equal(event.type, 'im.message');
    assert.deepEqual(event.type === 'im.message' && { id: event.body.id, text: event.body.text, from: event.body.from }, { id: sent.id, text: 'hello bob', from: 'alice' });
  });

  it('keeps a message for an offline recipient and delivers it at the next connect, after a restart', async () => {
    const carol = await pod.user('carol');
    const dave = await pod.user('dave', { messagesFrom: 'anyone' });
    const sent = await carol.op('im.send', { to: 'dave', text: 'while you were out' });
    await pod.restart();
    const { events } = await dave.connectCollecting();
    assert.deepEqual(
      events.filter((e) => e.type === 'im.message').map((e) => e.type === 'im.message' && e.body.id),
      [sent.id],
    );
    assert.deepEqual((await dave.op('im.history', { with: 'carol' })).messages.map((m) => m.id), [sent.id]);
  });

  it('tells the sender when the message was delivered and when it was read', async () => {
    const erin = await pod.user('erin');
    const frank = await pod.user('frank', { messagesFrom: 'anyone' });
    const erinClient = await erin.connect();
    await frank.connect();
    const delivered = nextEvent(erinClient, (e) => e.type === 'im.receipt' && e.body.kind === 'delivered');
    const sent = await erin.op('im.send', { to: 'frank', text: 'did you get this?' });
    const receipt = await delivered;
    assert.deepEqual(receipt.type === 'im.receipt' && { ids: receipt.body.ids, by: receipt.body.by }, { ids: [sent.id], by: 'frank' });
    const read = nextEvent(erinClient, (e) => e.type === 'im.receipt' && e.body.kind === 'read');
    assert.deepEqual(await frank.op('im.receipt', { ids: [sent.id], kind: 'read' }), { updated: 1 });
    await read;
    const [message] = (await erin.op('im.history', { with: 'frank' })).messages;
    assert.ok(message?.deliveredAt && message.readAt, 'history shows both marks');
    assert.deepEqual(await erin.op('im.receipt', { ids: [sent.id], kind: 'read' }), { updated: 0 }, 'only the recipient can mark a message read');
  });

  it('pages a conversation oldest first within a page, newest page first', async () => {
    const gina = await pod.user('gina', { messagesFrom: 'anyone' });
    const hank = await pod.user('hank', { messagesFrom: 'anyone' });
    const texts = Array.from({ length: 25 }, (_, i) => `message ${i}`);
    for (const [i, text] of texts.entries()) await (i % 2 ? hank : gina).op('im.send', { to: i % 2 ? 'gina' : 'hank', text });
    const pages: string[][] = [];
    let before: number | undefined;
    for (;;) {
      const page = await gina.op('im.history', before === undefined ? { with: 'hank', limit: 10 } : { with: 'hank', limit: 10, before });
      pages.push(page.messages.map((m) => m.text));
      if (!page.more) break;
      before = page.messages[0]!.order;
    }
    assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
    assert.deepEqual(pages.reverse().flat(), texts);
  });

  it('keeps a conversation in sync from events: old history plus events equals fresh history', async () => {
    const ivy = await pod.user('ivy', { messagesFrom: 'anyone' });
    const jack = await pod.user('jack', { messagesFrom: 'anyone' });
    await ivy.op('im.send', { to: 'jack', text: 'before' });
    const ivyClient = await ivy.connect();
    let state: ImMessage[] = (await ivy.op('im.history', { with: 'jack' })).messages;
    const events: PodEvent[] = [];
    ivyClient.on('*', (event) => events.push(event));
    const first = await jack.op('im.send', { to: 'ivy', text: 'one' });
    const second = await ivy.op('im.send', { to: 'jack', text: 'two' });
    await jack.op('im.receipt', { ids: [second.id], kind: 'read' });
    const settled = nextEvent(ivyClient, (e) => e.type === 'im.receipt' && e.body.ids.includes(first.id) && e.body.kind === 'read');
    await ivy.op('im.receipt', { ids: [first.id], kind: 'read' });
    await settled;
    for (const event of events) state = applyHistoryEvent(state, event, 'ivy', 'jack');
    assert.deepEqual(state, (await ivy.op('im.history', { with: 'jack' })).messages);
  });

  it('echoes my own message to my other devices', async () => {
    const kim = await pod.user('kim');
    await pod.user('lee', { messagesFrom: 'anyone' });
    const otherDevice = await kim.connect();
    const echo = nextEvent(otherDevice, (e) => e.type === 'im.message' && e.body.from === 'kim');
    const sent = await kim.op('im.send', { to: 'lee', text: 'from my phone' });
    const event = await echo;
    assert.equal(event.type === 'im.message' && event.body.id, sent.id);
  });

  it('takes a message of exactly 64 KiB and refuses one byte more with too_large', async () => {
    const max = await pod.user('max');
    await pod.user('ned', { messagesFrom: 'anyone' });
    const fits = 'é'.repeat(32 * 1024);
    assert.equal((await max.op('im.send', { to: 'ned', text: fits })).text, fits);
    await assert.rejects(max.op('im.send', { to: 'ned', text: fits + 'x' }), (error: PodError) => error.code === 'too_large' && /65536 bytes/.test(error.message));
  });

  it('refuses messages to strangers who accept only buddies, and to unknown users, storing nothing', async () => {
    const oscar = await pod.user('oscar');
    const pam = await pod.user('pam');
    await assert.rejects(oscar.op('im.send', { to: 'pam', text: 'hi' }), (error: PodError) => error.code === 'forbidden');
    await assert.rejects(oscar.op('im.send', { to: 'nobody', text: 'hi' }), (error: PodError) => error.code === 'not_found');
    await assert.rejects(oscar.op('im.send', { to: 'oscar', text: 'hi' }), (error: PodError) => error.code === 'invalid');
    assert.deepEqual((await pam.op('im.history', { with: 'oscar' })).messages, []);
  });

  it('applies a block or a stricter setting to the very next message of a running conversation', async () => {
    const quinn = await pod.user('quinn');
    const rose = await pod.user('rose', { messagesFrom: 'anyone' });
    await quinn.op('im.send', { to: 'rose', text: 'first' });
    await rose.op('settings.update', { messagesFrom: 'buddies' });
    await assert.rejects(quinn.op('im.send', { to: 'rose', text: 'after the setting' }), (error: PodError) => error.code === 'forbidden');
    await befriend(quinn, rose);
    await quinn.op('im.send', { to: 'rose', text: 'as a buddy' });
    await rose.op('buddies.block', { name: 'quinn' });
    await assert.rejects(quinn.op('im.send', { to: 'rose', text: 'after the block' }), (error: PodError) => error.code === 'forbidden');
    assert.deepEqual((await rose.op('im.history', { with: 'quinn' })).messages.map((m) => m.text), ['first', 'as a buddy']);
  });
});
