import { applyHistoryEvent, applyRoomHistoryEvent, connectNode, type PodClient, type PodEvent } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caughtUp, signIn } from './helpers/devices.ts';
import { nextEvent, startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';
import { refuses } from './helpers/refuses.ts';

/** Two connected devices of a user, each keeping what it receives. */
async function twoDevices(pod: TestPod, user: TestUser): Promise<Array<{ client: PodClient; events: PodEvent[]; token: string }>> {
  const phone = await signIn(pod, user, 'phone');
  return Promise.all(
    [user.token, phone.token].map(async (token) => {
      const client = connectNode({ url: pod.url, token, requestTimeoutMs: 5000 });
      const events: PodEvent[] = [];
      client.on('*', (event) => events.push(event));
      await client.connect();
      return { client, events, token };
    }),
  );
}

describe('conversation features in rooms and 1:1 alike', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('1:1: replies quote within the conversation, only the author edits or deletes, either end reacts, typing is transient', async () => {
    const [amy, bo] = await Promise.all([pod.user('amy', { messagesFrom: 'anyone' }), pod.user('bo', { messagesFrom: 'anyone' })]);
    await pod.user('cy', { messagesFrom: 'anyone' });
    const question = await amy.op('im.send', { to: 'bo', text: 'tea or coffee?' });
    const elsewhere = await amy.op('im.send', { to: 'cy', text: 'elsewhere' });
    const answer = await bo.op('im.send', { to: 'amy', text: 'tea', replyTo: question.id });
    assert.deepEqual(answer.replyTo, { id: question.id, from: 'amy', text: 'tea or coffee?', deleted: false });
    await refuses(bo.op('im.send', { to: 'amy', text: 'hm', replyTo: elsewhere.id }), 'not_found', /conversation with amy/);

    await refuses(bo.op('im.edit', { id: question.id, text: 'coffee!' }), 'forbidden', /author/);
    await refuses(bo.op('im.react', { id: elsewhere.id, emoji: '👍' }), 'not_found', /no message/);
    const edited = await amy.op('im.edit', { id: question.id, text: 'tea, coffee or cocoa?' });
    assert.ok(edited.editedAt);
    const reacted = await bo.op('im.react', { id: question.id, emoji: '☕' });
    assert.deepEqual(reacted.reactions, [{ emoji: '☕', count: 1, users: ['bo'] }]);
    assert.equal((await bo.op('im.history', { with: 'amy' })).messages[1]!.replyTo!.text, 'tea, coffee or cocoa?');

    const boClient = await bo.connect();
    const typing = nextEvent(boClient, (e) => e.type === 'im.typing');
    await amy.op('im.typing', { to: 'bo' });
    assert.deepEqual([(await typing).body, (await typing).seq], [{ from: 'amy' }, undefined]);

    await refuses(bo.op('im.delete', { id: question.id }), 'forbidden');
    await amy.op('im.delete', { id: question.id });
    const [gone, reply] = (await bo.op('im.history', { with: 'amy' })).messages;
    assert.deepEqual([gone!.text, Boolean(gone!.deletedAt), gone!.reactions, reply!.replyTo?.deleted], ['', true, undefined, true]);
  });

  it('edits, deletes and reactions reach every device of every member, and old history plus events equals fresh history', async () => {
    const [dee, eli] = await Promise.all([pod.user('dee', { messagesFrom: 'anyone' }), pod.user('eli', { messagesFrom: 'anyone' })]);
    await dee.op('rooms.create', { name: 'devices' });
    await eli.op('rooms.join', { room: 'devices' });
    const inRoom = await eli.op('rooms.send', { room: 'devices', text: 'in the room' });
    const direct = await eli.op('im.send', { to: 'dee', text: 'just us' });
    const roomBefore = (await dee.op('rooms.history', { room: 'devices' })).messages;
    const directBefore = (await dee.op('im.history', { with: 'eli' })).messages;
    const devices = [...(await twoDevices(pod, dee)), ...(await twoDevices(pod, eli))];

    await dee.op('rooms.react', { id: inRoom.id, emoji: '🎈' });
    await eli.op('rooms.edit', { id: inRoom.id, text: 'in the room, edited' });
    await dee.op('im.react', { id: direct.id, emoji: '🎈' });
    await eli.op('im.edit', { id: direct.id, text: 'just us, edited' });
    const extra = await dee.op('rooms.send', { room: 'devices', text: 'second', replyTo: inRoom.id });
    await eli.op('rooms.delete', { id: inRoom.id });
    await eli.op('im.delete', { id: direct.id });

    const roomNow = (await dee.op('rooms.history', { room: 'devices' })).messages;
    const directNow = (await dee.op('im.history', { with: 'eli' })).messages;
    for (const [index, device] of devices.entries()) {
      await caughtUp(pod, device.token, device.client);
      const types = device.events.map((e) => e.type).filter((t) => /^(room|im)\.(edited|deleted|reaction)$/.test(t));
      assert.deepEqual(types.sort(), ['im.deleted', 'im.edited', 'im.reaction', 'room.deleted', 'room.edited', 'room.reaction'], `device ${index}`);
      const me = index < 2 ? 'dee' : 'eli';
      const other = index < 2 ? 'eli' : 'dee';
      const room = device.events.reduce((state, event) => applyRoomHistoryEvent(state, event, 'devices'), roomBefore);
      assert.deepEqual(room, roomNow, `room history on device ${index}`);
      // Both ends see one history of a conversation.
      assert.deepEqual(
        device.events.reduce((state, event) => applyHistoryEvent(state, event, me, other), directBefore),
        directNow,
        `1:1 history on device ${index}`,
      );
      device.client.close();
    }
    assert.equal(roomNow.at(-1)!.id, extra.id);
  });
  it('a message deleted for everyone is not replayed: a device syncing from the start gets neither its text, its edits, its mention nor a quote of it', async () => {
    const [fay, gus] = await Promise.all([pod.user('fay', { messagesFrom: 'anyone' }), pod.user('gus', { messagesFrom: 'anyone' })]);
    await fay.op('rooms.create', { name: 'regrets' });
    await gus.op('rooms.join', { room: 'regrets' });
    const said = await fay.op('rooms.send', { room: 'regrets', text: 'indiscreet remark for @gus' });
    await fay.op('rooms.edit', { id: said.id, text: 'indiscreet remark, worse, for @gus' });
    await gus.op('rooms.send', { room: 'regrets', text: 'oh no', replyTo: said.id });
    const direct = await fay.op('im.send', { to: 'gus', text: 'indiscreet direct word' });
    await fay.op('im.edit', { id: direct.id, text: 'indiscreet direct word, worse' });
    await gus.op('im.send', { to: 'fay', text: 'oh dear', replyTo: direct.id });
    await fay.op('rooms.delete', { id: said.id });
    await fay.op('im.delete', { id: direct.id });

    // No delivery receipts: the history compared with must not change while the device syncs.
    const late = connectNode({ url: pod.url, token: gus.token, requestTimeoutMs: 5000, after: 0, deliveryReceipts: false });
    const events: PodEvent[] = [];
    late.on('*', (event) => events.push(event));
    await late.connect();
    await caughtUp(pod, gus.token, late);
    late.close();
    const stored = events.filter((event) => event.seq !== undefined);
    assert.deepEqual(stored.map((event) => event.seq), stored.map((_, index) => index + 1), 'seqs 1..head, without gaps');
    assert.doesNotMatch(JSON.stringify(stored), /indiscreet/);
    const room = (await gus.op('rooms.history', { room: 'regrets' })).messages;
    const conversation = (await gus.op('im.history', { with: 'fay' })).messages;
    assert.deepEqual(stored.reduce((state, event) => applyRoomHistoryEvent(state, event, 'regrets'), [] as typeof room), room, 'the room from its whole mailbox');
    assert.deepEqual(stored.reduce((state, event) => applyHistoryEvent(state, event, 'gus', 'fay'), [] as typeof conversation), conversation, 'the conversation from its whole mailbox');
    assert.deepEqual(room.map((m) => [m.text, m.replyTo?.deleted ?? null]), [['', null], ['oh no', true]]);
  });
});
