import { callOp, connectNode, login, type PodEvent, type RoomMessage } from '@pod/sdk/node';
import type { Kysely } from 'kysely';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../src/store/schema.ts';
import { crowdUsers, seatAll } from './helpers/crowd.ts';
import { caughtUp } from './helpers/devices.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

const MEMBERS = 1000;
const MESSAGES = 40;
/** Members who reconnect through real sockets; the others' mailboxes are read from the store. */
const SAMPLE = 8;

describe('rooms: a 1,000-member room', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('gives every offline member every message after reconnect, across a restart, once and in room order', async () => {
    const owner = await pod.user('host');
    await owner.op('rooms.create', { name: 'stadium' });
    const fans = await crowdUsers(pod, Array.from({ length: MEMBERS }, (_, i) => `fan${String(i).padStart(4, '0')}`), owner);
    const names = fans.map((fan) => fan.name);
    await seatAll(pod, 'stadium', names);
    // Several senders at once, so that the app server commits sends in batches.
    const tokens = fans.slice(0, 4).map((fan) => fan.token);
    const sent: RoomMessage[] = [];
    await Promise.all(
      tokens.map(async (token, s) => {
        for (let i = s; i < MESSAGES; i += tokens.length) sent.push(await callOp(pod.url, token, 'rooms.send', { room: 'stadium', text: `message ${i}` }));
      }),
    );
    const inOrder = sent.sort((a, b) => a.order - b.order).map((m) => m.id);

    const db = pod.pod.store.db as unknown as Kysely<Database>;
    const rows = await db
      .selectFrom('mailbox')
      .innerJoin('events', 'events.id', 'mailbox.event_id')
      .innerJoin('users', 'users.id', 'mailbox.user_id')
      .select(['users.name', 'events.body'])
      .where('events.type', '=', 'room.message')
      .orderBy('mailbox.user_id')
      .orderBy('mailbox.seq')
      .execute();
    const byMember = new Map<string, string[]>();
    for (const row of rows) byMember.set(row.name, [...(byMember.get(row.name) ?? []), (JSON.parse(row.body) as RoomMessage).id]);
    const wrong = names.filter((name) => JSON.stringify(byMember.get(name)) !== JSON.stringify(inOrder));
    assert.deepEqual(wrong, [], 'every member has every message once, in room order');
    const stored = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'room.message').executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), MESSAGES, 'each message is stored once; mailboxes hold pointers');

    await pod.restart();
    const sample = names.filter((_, i) => i % Math.floor(MEMBERS / SAMPLE) === 7).slice(0, SAMPLE);
    await Promise.all(
      sample.map(async (name) => {
        // A real sign-in: the bulk-made account works like any other.
        const { token } = await login(pod.url, name, owner.password, 'back online');
        const client = connectNode({ url: pod.url, token, requestTimeoutMs: 5000 });
        const events: PodEvent[] = [];
        client.on('*', (event) => events.push(event));
        await client.connect();
        try {
          await caughtUp(pod, token, client);
          assert.deepEqual(events.filter((e) => e.type === 'room.message').map((e) => (e.body as RoomMessage).id), inOrder, `${name} got every message once, in order`);
        } finally {
          client.close();
        }
      }),
    );
  });
});
