import type { EventBody } from '@pod/protocol';
import type { PodClient } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

type RoomPresence = EventBody<'room.presence'>;

// Short, so going offline (the grace, then the sweep) takes about a second.
const HEARTBEAT_MS = 300;
const GRACE_MS = 600;
const LEASE_MS = 1500;

/** The room.presence events one device received, to await in order. */
class Feed {
  readonly seen: RoomPresence[] = [];
  private taken = 0;
  private wake: (() => void) | undefined;

  constructor(client: PodClient) {
    client.on('room.presence', (event) => {
      this.seen.push(event.body);
      this.wake?.();
    });
  }

  /** The next event about `name` after those already taken (a loaded machine gets a generous deadline). */
  async next(name: string, ms = 15_000): Promise<RoomPresence> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.seen.findIndex((entry, i) => i >= this.taken && entry.name === name);
      if (index >= 0) {
        this.taken = index + 1;
        return this.seen[index]!;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no room.presence about ${name} within ${ms} ms; seen ${JSON.stringify(this.seen)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

describe('presence in rooms', () => {
  let pod: TestPod;

  before(async () => {
    pod = await startTestPod({ heartbeatMs: HEARTBEAT_MS, presenceGraceMs: GRACE_MS, presenceLeaseMs: LEASE_MS });
  });
  after(async () => {
    await pod.close();
  });

  async function device(user: TestUser): Promise<{ client: PodClient; feed: Feed }> {
    const client = await user.connect();
    return { client, feed: new Feed(client) };
  }

  it('shows a member who is not a buddy another member going online, busy and offline, live; an outsider sees nothing', async () => {
    const alice = await pod.user('alice');
    const bob = await pod.user('bob');
    const dave = await pod.user('dave');
    await alice.op('rooms.create', { name: 'den' });
    await bob.op('rooms.join', { room: 'den' });
    const bobs = await device(bob);
    const daves = await device(dave);

    const alices = await device(alice);
    assert.deepEqual(await bobs.feed.next('alice'), { name: 'alice', status: 'online' });
    // The status text is for buddies only.
    await alice.op('presence.set', { status: 'busy', text: 'in a meeting' });
    assert.deepEqual(await bobs.feed.next('alice'), { name: 'alice', status: 'busy' });
    alices.client.close();
    assert.deepEqual(await bobs.feed.next('alice'), { name: 'alice', status: 'offline' });
    // Alice sees Bob come and go the same way, and the member list agrees with what was pushed.
    const again = await device(alice);
    assert.deepEqual(await bobs.feed.next('alice'), { name: 'alice', status: 'busy' });
    bobs.client.close();
    assert.deepEqual(await again.feed.next('bob'), { name: 'bob', status: 'offline' });
    const { members } = await alice.op('rooms.members', { room: 'den' });
    assert.deepEqual(
      members.map((m) => [m.name, m.presence]),
      [
        ['alice', 'busy'],
        ['bob', 'offline'],
      ],
    );

    // Dave shares no room with Alice: told nothing until he joins one, then told live like Bob.
    assert.deepEqual(daves.feed.seen, []);
    await dave.op('rooms.join', { room: 'den' });
    await alice.op('presence.set', { status: 'away' });
    assert.deepEqual(await daves.feed.next('alice'), { name: 'alice', status: 'away' });
  });

  it('stops telling a member who left the room', async () => {
    const erin = await pod.user('erin');
    const frank = await pod.user('frank');
    await erin.op('rooms.create', { name: 'porch' });
    await frank.op('rooms.join', { room: 'porch' });
    const franks = await device(frank);
    const erins = await device(erin);
    assert.deepEqual(await franks.feed.next('erin'), { name: 'erin', status: 'online' });
    await frank.op('rooms.leave', { room: 'porch' });
    await erin.op('presence.set', { status: 'away' });
    // A change Frank still shares a room for shows that the one before it was not sent him.
    await erin.op('rooms.create', { name: 'attic' });
    await frank.op('rooms.join', { room: 'attic' });
    await erin.op('presence.set', { status: 'busy' });
    assert.deepEqual(await franks.feed.next('erin'), { name: 'erin', status: 'busy' });
    erins.client.close();
  });
});
