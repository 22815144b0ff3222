import type { Kysely } from 'kysely';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expireRoomMessages } from '../src/apps/rooms/retention.ts';
import type { Database, RoomsTables } from '../src/store/schema.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';
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

    const deleted = await expireRoomMessages({ db: pod.pod.store.db as unknown as Kysely<RoomsTables> }, Date.now());
    assert.equal(deleted, 2);
    assert.deepEqual((await pip.op('rooms.search', { query: 'ancient' })).results, []);
    assert.deepEqual((await olive.op('rooms.search', { query: 'ancient' })).results.map((r) => r.message.id), [archived.id]);
    assert.deepEqual((await olive.op('rooms.history', { room: 'archive' })).messages.map((m) => m.id), [archived.id]);
    await olive.op('rooms.update', { room: 'ephemeral', retentionDays: null });
    assert.equal((await olive.op('rooms.list', {})).rooms.find((r) => r.name === 'ephemeral')!.retentionDays, null);
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
