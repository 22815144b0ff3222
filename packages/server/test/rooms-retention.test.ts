import { applyMyRoomsEvent, applyRoomHistoryEvent, type MyRooms, type PodEvent } from '@pod/sdk/node';
import type { Kysely } from 'kysely';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expireRoomMessages } from '../src/apps/rooms/retention.ts';
import { appSettingsOf } from '../src/main.ts';
import { Metrics } from '../src/metrics.ts';
import { createAppContext } from '../src/runtime/context.ts';
import type { Database, RoomsTables } from '../src/store/schema.ts';
import { caughtUp } from './helpers/devices.ts';
import { nextEvent, startTestPod, type TestPod } from './helpers/pod.ts';
import { refuses } from './helpers/refuses.ts';

describe('rooms: retention and export', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  /** Makes messages look sent `days` ago, as if time had passed. */
  async function age(ids: string[], days: number): Promise<void> {
    const db = pod.pod.store.db as unknown as Kysely<Database>;
    await db.updateTable('room_messages').set({ at: new Date(Date.now() - days * 86_400_000).toISOString() }).where('id', 'in', ids).execute();
  }

  /** The sweep the rooms app runs every minute, run now, through the pod's own store and messenger. */
  function sweep(): Promise<number> {
    return expireRoomMessages(createAppContext<RoomsTables>('rooms', pod.pod.store, pod.pod.messenger, appSettingsOf(pod.config), new Metrics(), pod.pod.log), Date.now());
  }

  const stored = (events: PodEvent[]) => events.filter((event) => event.seq !== undefined);

  it('keeps N days: older messages vanish from history, search and export, and the sweep deletes them; other rooms keep everything', async () => {
    const [olive, pip] = await Promise.all([pod.user('olive'), pod.user('pip')]);
    await olive.op('rooms.create', { name: 'ephemeral' });
    await olive.op('rooms.create', { name: 'archive' });
    await pip.op('rooms.join', { room: 'ephemeral' });
    const old = [await olive.op('rooms.send', { room: 'ephemeral', text: 'ancient words' }), await pip.op('rooms.send', { room: 'ephemeral', text: 'ancient reply' })];
    const kept = await olive.op('rooms.send', { room: 'ephemeral', text: 'fresh words' });
    const archived = await olive.op('rooms.send', { room: 'archive', text: 'ancient but archived' });
    await age([...old.map((m) => m.id), archived.id], 3);

    await refuses(pip.op('rooms.update', { room: 'ephemeral', retentionDays: 1 }), 'forbidden', /owner/);
    assert.equal((await olive.op('rooms.update', { room: 'ephemeral', retentionDays: 1 })).retentionDays, 1);
    assert.deepEqual((await pip.op('rooms.history', { room: 'ephemeral' })).messages.map((m) => m.id), [kept.id]);

    const deleted = await sweep();
    assert.equal(deleted, 2);
    assert.deepEqual((await pip.op('rooms.search', { query: 'ancient' })).results, []);
    assert.deepEqual((await olive.op('rooms.search', { query: 'ancient' })).results.map((r) => r.message.id), [archived.id]);
    assert.deepEqual((await olive.op('rooms.history', { room: 'archive' })).messages.map((m) => m.id), [archived.id]);
    await olive.op('rooms.update', { room: 'ephemeral', retentionDays: null });
    assert.equal((await olive.op('rooms.list', {})).rooms.find((r) => r.name === 'ephemeral')!.retentionDays, null);
  });

  it('keeps N days in every mailbox too: a device syncing from the start gets tombstones at the same seqs, never the text; a connected one is told', async () => {
    const [uma, vic] = await Promise.all([pod.user('uma'), pod.user('vic')]);
    await uma.op('rooms.create', { name: 'fleeting' });
    await vic.op('rooms.join', { room: 'fleeting' });
    const first = await uma.op('rooms.send', { room: 'fleeting', text: 'bygone secret for @vic' });
    await uma.op('rooms.edit', { id: first.id, text: 'bygone secret, edited, for @vic' });
    await vic.op('rooms.react', { id: first.id, emoji: '👀' });
    const reply = await vic.op('rooms.send', { room: 'fleeting', text: 'bygone answer', replyTo: first.id });
    const kept = await uma.op('rooms.send', { room: 'fleeting', text: 'still here', replyTo: reply.id });
    const expiring = [first.id, reply.id];
    const live = await vic.connectCollecting();
    await caughtUp(pod, vic.token, live.client);
    const before = (await vic.op('rooms.history', { room: 'fleeting' })).messages;
    await age(expiring, 3);
    await uma.op('rooms.update', { room: 'fleeting', retentionDays: 1 });

    const told = nextEvent<Extract<PodEvent, { type: 'room.expired' }>>(live.client, (event) => event.type === 'room.expired');
    assert.equal(await sweep(), 2);
    const now = (await vic.op('rooms.history', { room: 'fleeting' })).messages;
    assert.deepEqual(now.map((m) => [m.id, m.replyTo]), [[kept.id, null]]);
    assert.deepEqual((await told).body, { room: 'fleeting', ids: expiring });
    assert.deepEqual(applyRoomHistoryEvent(before, await told, 'fleeting'), now);

    const late = await vic.connectCollecting({ after: 0 });
    await caughtUp(pod, vic.token, late.client);
    const events = stored(late.events);
    assert.deepEqual(events.map((event) => event.seq), events.map((_, index) => index + 1), 'seqs 1..head, without gaps');
    assert.doesNotMatch(JSON.stringify(events), /bygone/);
    // The message, its edit and the mention of vic became tombstones; the reaction stays (it holds no text).
    const tombstones = events.filter((event) => event.type === 'room.expired');
    assert.deepEqual(tombstones.map((event) => event.body), [
      { room: 'fleeting', ids: [first.id] },
      { room: 'fleeting', ids: [first.id] },
      { room: 'fleeting', ids: [first.id] },
      { room: 'fleeting', ids: [reply.id] },
      { room: 'fleeting', ids: expiring },
    ]);
    assert.deepEqual(
      events.reduce((state, event) => applyRoomHistoryEvent(state, event, 'fleeting'), [] as typeof now),
      now,
      'replaying the whole mailbox gives the history as it is now',
    );
  });

  it('keeps unread counts right: a member who had not read what expired gets the count as it is now, live and on replay', async () => {
    const [wes, xan] = await Promise.all([pod.user('wes'), pod.user('xan')]);
    await xan.op('rooms.create', { name: 'brief' });
    await wes.op('rooms.join', { room: 'brief' });
    const gone = await xan.op('rooms.send', { room: 'brief', text: 'soon gone' });
    await xan.op('rooms.send', { room: 'brief', text: 'stays' });
    const live = await wes.connectCollecting();
    await caughtUp(pod, wes.token, live.client);
    let mine: MyRooms = await wes.op('rooms.list', {});
    assert.deepEqual(mine.rooms.map((r) => [r.name, r.unread]), [['brief', 2]]);
    live.client.on('*', (event) => (mine = applyMyRoomsEvent(mine, event, 'wes')));
    await age([gone.id], 3);
    await xan.op('rooms.update', { room: 'brief', retentionDays: 1 });

    const recount = nextEvent<Extract<PodEvent, { type: 'room.read' }>>(live.client, (event) => event.type === 'room.read');
    assert.equal(await sweep(), 1);
    assert.deepEqual((await recount).body.unread, 1);
    const now = await wes.op('rooms.list', {});
    assert.deepEqual(now.rooms.map((r) => [r.name, r.unread]), [['brief', 1]]);
    assert.deepEqual(mine, now, 'the live device agrees with the server');

    const late = await wes.connectCollecting({ after: 0 });
    await caughtUp(pod, wes.token, late.client);
    const replayed = stored(late.events).reduce((state, event) => applyMyRoomsEvent(state, event, 'wes'), { rooms: [], invitations: [] } as MyRooms);
    assert.deepEqual(replayed.rooms.map((r) => [r.name, r.unread]), [['brief', 1]], 'a device replaying its mailbox agrees too');
  });

  it("lets an owner, and only an owner, export a room's history as JSON", async () => {
    const [quin, rex] = await Promise.all([pod.user('quin'), pod.user('rex')]);
    await quin.op('rooms.create', { name: 'exported', topic: 'for the record' });
    await rex.op('rooms.join', { room: 'exported' });
    const first = await quin.op('rooms.send', { room: 'exported', text: 'first' });
    await rex.op('rooms.react', { id: first.id, emoji: '📜' });
    await rex.op('rooms.send', { room: 'exported', text: 'second', replyTo: first.id });
    await refuses(rex.op('rooms.export', { room: 'exported' }), 'forbidden', /owner/);
    const dump = await quin.op('rooms.export', { room: 'exported' });
    assert.deepEqual([dump.room.name, dump.room.topic, dump.room.members], ['exported', 'for the record', 2]);
    assert.deepEqual(dump.members.map((m) => [m.name, m.role]), [['quin', 'owner'], ['rex', 'member']]);
    assert.deepEqual(dump.messages, (await quin.op('rooms.history', { room: 'exported' })).messages);
    assert.deepEqual(dump.messages[0]!.reactions, [{ emoji: '📜', count: 1, users: ['rex'] }]);
  });
});
