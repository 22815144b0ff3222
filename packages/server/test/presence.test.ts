import { connectNode, login, type PodClient, type PresenceEntry } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { befriend, startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

// Short enough that expiry tests take about a second, long enough that a quick reconnect
// (tens of milliseconds here) stays inside the grace.
const HEARTBEAT_MS = 300;
const GRACE_MS = 600;
const LEASE_MS = 1500;

/** Every presence event one device received, to await in any order and inspect. */
class PresenceFeed {
  readonly seen: PresenceEntry[] = [];
  private readonly taken = new Set<number>();
  private wake: (() => void) | undefined;

  constructor(client: PodClient) {
    client.on('presence', (event) => {
      this.seen.push(event.body);
      this.wake?.();
    });
  }

  /** The earliest event not yet taken that matches every given field; waits for it if need be (the deadline allows for a loaded machine). */
  async next(match: Partial<PresenceEntry>, ms = 15_000): Promise<PresenceEntry> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.seen.findIndex((entry, i) => !this.taken.has(i) && Object.entries(match).every(([key, value]) => entry[key as keyof PresenceEntry] === value));
      if (index >= 0) {
        this.taken.add(index);
        return this.seen[index]!;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no presence event matching ${JSON.stringify(match)} within ${ms} ms; seen ${JSON.stringify(this.seen)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  about(name: string): PresenceEntry[] {
    return this.seen.filter((entry) => entry.name === name);
  }
}

interface Device {
  client: PodClient;
  feed: PresenceFeed;
}

/**
 * Applies presence events to a fetched presence.list, as a client keeps it current. An event
 * about someone not on the list is added, so a leak shows up as a difference.
 */
function applyPresence(list: PresenceEntry[], events: PresenceEntry[]): PresenceEntry[] {
  const entries = new Map(list.map((entry) => [entry.name, entry]));
  for (const event of events) entries.set(event.name, event);
  return [...entries.values()];
}

const byName = (a: PresenceEntry, b: PresenceEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

describe('presence', () => {
  let pod: TestPod;
  const devices: PodClient[] = [];

  before(async () => {
    pod = await startTestPod({ heartbeatMs: HEARTBEAT_MS, presenceGraceMs: GRACE_MS, presenceLeaseMs: LEASE_MS });
  });
  after(async () => {
    for (const client of devices) client.close();
    await pod.close();
  });

  /** Connects a device of `user`, by default their first session; the feed sees events from the first frame on. */
  async function connect(user: TestUser, token = user.token): Promise<Device> {
    const client = connectNode({ url: pod.url, token, requestTimeoutMs: 5000 });
    devices.push(client);
    const feed = new PresenceFeed(client);
    await client.connect();
    return { client, feed };
  }

  /**
   * Connects a device of `watcher`, then makes `watched` (not connected yet) their buddy and
   * waits for the introduction: watched, offline. Introductions follow the buddy request
   * asynchronously (an announcement between application servers), so a device connected only
   * afterwards might or might not get one; connected first, it always does.
   */
  async function watching(watcher: TestUser, watched: TestUser): Promise<Device> {
    const device = await connect(watcher);
    await befriend(watched, watcher);
    await device.feed.next({ name: watched.name, status: 'offline' });
    return device;
  }

  /** Signs `user` in once more: another device, with its own session. */
  async function secondSession(user: TestUser): Promise<string> {
    return (await login(pod.url, user.name, user.password, `${user.name}'s second device`)).token;
  }

  /**
   * Resolves once every device that disconnected before this call is past its grace and swept:
   * a probe buddy of the watcher disconnects now, and the watcher sees it go offline.
   */
  async function graceOver(watcher: TestUser, watcherDevice: Device): Promise<void> {
    const probe = await pod.user(`probe-${randomUUID().slice(0, 8)}`);
    await befriend(probe, watcher);
    // Becoming buddies shows the watcher the probe as it is: offline, not yet connected.
    await watcherDevice.feed.next({ name: probe.name, status: 'offline' });
    const probeDevice = await connect(probe);
    await watcherDevice.feed.next({ name: probe.name, status: 'online' });
    probeDevice.client.close();
    await watcherDevice.feed.next({ name: probe.name, status: 'offline' });
  }

  async function userId(name: string): Promise<number> {
    const row = await pod.pod.store.db.selectFrom('users').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Sends an internal presence request as a gateway would. */
  async function asGateway(op: 'presence.connect' | 'presence.disconnect' | 'presence.refresh', body: unknown): Promise<void> {
    const response = await pod.pod.messenger.request('presence', { id: randomUUID(), op, body });
    assert.ok(response.ok, JSON.stringify(response));
  }

  it('shows buddies each other going online, away with a text, and offline', async () => {
    const alice = await pod.user('alice');
    const bob = await pod.user('bob');
    const bobs = await watching(bob, alice);
    const alices = await connect(alice);
    assert.deepEqual(await bobs.feed.next({ name: 'alice' }), { name: 'alice', status: 'online', text: '' });
    const answer = await alices.client.request('presence.set', { status: 'away', text: 'at lunch' });
    assert.deepEqual(answer, { name: 'alice', status: 'away', text: 'at lunch' });
    assert.deepEqual(await bobs.feed.next({ name: 'alice' }), answer);
    assert.deepEqual(await alices.feed.next({ name: 'alice', status: 'away' }), answer, "alice's own devices follow her status too");
    alices.client.close();
    assert.deepEqual(await bobs.feed.next({ name: 'alice' }), { name: 'alice', status: 'offline', text: '' }, 'offline shows no text');
    assert.deepEqual((await bob.op('presence.list', {})).presence, [
      { name: 'bob', status: 'online', text: '' },
      { name: 'alice', status: 'offline', text: '' },
    ]);
  });

  it('shows two users each other as they are the moment they become buddies', async () => {
    const ned = await pod.user('newbud-a');
    const olga = await pod.user('newbud-b');
    const neds = await connect(ned);
    const olgas = await connect(olga);
    await olga.op('presence.set', { status: 'busy', text: 'in a call' });
    await ned.op('buddies.add', { name: 'newbud-b' });
    await olga.op('buddies.accept', { name: 'newbud-a' });
    assert.deepEqual(await neds.feed.next({ name: 'newbud-b' }), { name: 'newbud-b', status: 'busy', text: 'in a call' });
    assert.deepEqual(await olgas.feed.next({ name: 'newbud-a' }), { name: 'newbud-a', status: 'online', text: '' });
  });

  it("never shows a user's presence to someone who is not their buddy", async () => {
    const carl = await pod.user('carl');
    const cora = await pod.user('cora');
    const stranger = await pod.user('stranger');
    await befriend(carl, cora);
    const strangers = await connect(stranger);
    const coras = await connect(cora);
    await connect(carl);
    await coras.feed.next({ name: 'carl', status: 'online' });
    await carl.op('presence.set', { status: 'busy', text: 'deploying' });
    await coras.feed.next({ name: 'carl', status: 'busy' });
    // Pushes to all watchers go out together, and frames on one socket stay in order: had the
    // stranger been sent carl's presence, it would arrive before this answer.
    const list = await strangers.client.request('presence.list', {});
    assert.deepEqual(list.presence, [{ name: 'stranger', status: 'online', text: '' }]);
    assert.deepEqual(strangers.feed.about('carl'), []);
  });

  it('keeps a user online while one of two devices is connected, and offline after the grace once both close', async () => {
    const dave = await pod.user('dave');
    const erin = await pod.user('erin');
    const erins = await watching(erin, dave);
    const first = await connect(dave);
    const second = await connect(dave, await secondSession(dave));
    await erins.feed.next({ name: 'dave', status: 'online' });
    first.client.close();
    await graceOver(erin, erins);
    assert.deepEqual(erins.feed.about('dave').map((e) => e.status), ['offline', 'online'], 'one open device keeps dave online');
    second.client.close();
    await erins.feed.next({ name: 'dave', status: 'offline' });
  });

  it('does not flap when a device reconnects within the grace', async () => {
    const fay = await pod.user('fay');
    const finn = await pod.user('finn');
    const finns = await watching(finn, fay);
    const before = await connect(fay);
    await finns.feed.next({ name: 'fay', status: 'online' });
    before.client.close();
    await connect(fay);
    await graceOver(finn, finns);
    assert.deepEqual(finns.feed.about('fay').map((e) => e.status), ['offline', 'online']);
  });

  it('takes a device whose heartbeats stop offline after the grace', async () => {
    const gus = await pod.user('gus');
    const gina = await pod.user('gina');
    const ginas = await watching(gina, gus);
    // A bare socket that says hello and then falls silent, as a device that lost its network.
    const silent = new WebSocket(`${pod.url.replace(/^http/, 'ws')}/v1/ws`);
    const closed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    silent.once('open', () => silent.send(JSON.stringify({ t: 'hello', token: gus.token })));
    await ginas.feed.next({ name: 'gus', status: 'online' });
    await ginas.feed.next({ name: 'gus', status: 'offline' });
    await closed;
  });

  it('shows an invisible user offline to buddies while connected', async () => {
    const hal = await pod.user('hal');
    const ivy = await pod.user('ivy');
    const ivys = await watching(ivy, hal);
    const hals = await connect(hal);
    await ivys.feed.next({ name: 'hal', status: 'online' });
    const answer = await hals.client.request('presence.set', { status: 'offline', text: 'not here' });
    assert.deepEqual(answer, { name: 'hal', status: 'offline', text: '' }, 'the answer is what buddies see');
    assert.deepEqual(await ivys.feed.next({ name: 'hal' }), answer);
    assert.deepEqual((await ivy.op('presence.list', {})).presence.find((e) => e.name === 'hal'), answer);
    // Another device coming online does not reveal him either (the gateway's connect, awaited here).
    await asGateway('presence.connect', { userId: await userId('hal'), session: 'hal-second-device', gateway: 'another-gateway' });
    await hals.client.request('presence.set', { status: 'online' });
    assert.deepEqual(await ivys.feed.next({ name: 'hal' }), { name: 'hal', status: 'online', text: '' });
    assert.deepEqual(ivys.feed.about('hal').map((e) => e.status), ['offline', 'online', 'offline', 'online']);
  });

  it('stops telling a blocked user about presence', async () => {
    const jack = await pod.user('jack');
    const kate = await pod.user('kate');
    const kates = await watching(kate, jack);
    const jacks = await connect(jack);
    await kates.feed.next({ name: 'jack', status: 'online' });
    await jack.op('buddies.block', { name: 'kate' });
    await jack.op('presence.set', { status: 'away', text: 'avoiding kate' });
    await jacks.feed.next({ name: 'jack', status: 'away' });
    // The push to jack's devices went out with any to kate, and kate's answer follows on her socket.
    const list = await kates.client.request('presence.list', {});
    assert.deepEqual(list.presence, [{ name: 'kate', status: 'online', text: '' }]);
    assert.deepEqual(kates.feed.about('jack').map((e) => e.status), ['offline', 'online']);
  });

  it('takes a device offline when its gateway stops refreshing it, after the lease', async () => {
    const leo = await pod.user('leo');
    const mia = await pod.user('mia');
    const mias = await watching(mia, leo);
    // A gateway that held leo's device and then died without a goodbye.
    await asGateway('presence.connect', { userId: await userId('leo'), session: 'device-on-a-dead-gateway', gateway: 'dead-gateway' });
    await mias.feed.next({ name: 'leo', status: 'online' });
    const wentOffline = await mias.feed.next({ name: 'leo', status: 'offline' });
    assert.deepEqual(wentOffline, { name: 'leo', status: 'offline', text: '' });
  });

  it('brings back a device whose connect was lost at the next refresh of its gateway', async () => {
    const ned = await pod.user('ned');
    const nia = await pod.user('nia');
    const nias = await watching(nia, ned);
    await asGateway('presence.refresh', { gateway: 'another-gateway', devices: [{ userId: await userId('ned'), session: 'connect-was-lost' }] });
    assert.deepEqual(await nias.feed.next({ name: 'ned' }), { name: 'ned', status: 'online', text: '' });
  });

  it("ignores a gateway's refresh that was sent before its goodbye", async () => {
    const olga = await pod.user('olga');
    const omar = await pod.user('omar');
    const omars = await watching(omar, olga);
    const device = { userId: await userId('olga'), session: 'olga-laptop' };
    await asGateway('presence.connect', { ...device, gateway: 'gateway-a' });
    await omars.feed.next({ name: 'olga', status: 'online' });
    await asGateway('presence.disconnect', { ...device, gateway: 'gateway-a' });
    await asGateway('presence.refresh', { gateway: 'gateway-a', devices: [device] });
    // Had the refresh extended the device, it would stay online for a whole lease past the probe's grace.
    await graceOver(omar, omars);
    assert.deepEqual(omars.feed.about('olga').map((e) => e.status), ['offline', 'online', 'offline']);
  });

  it('keeps a device online that reconnected through another gateway before the old one said goodbye', async () => {
    const pia = await pod.user('pia');
    const paul = await pod.user('paul');
    const pauls = await watching(paul, pia);
    const device = { userId: await userId('pia'), session: 'pia-phone' };
    await asGateway('presence.connect', { ...device, gateway: 'gateway-a' });
    await asGateway('presence.connect', { ...device, gateway: 'gateway-b' });
    // Gateway b lives on and refreshes its devices, as a real one does, however long the wait.
    const refreshing = setInterval(() => void asGateway('presence.refresh', { gateway: 'gateway-b', devices: [device] }), LEASE_MS / 3);
    try {
      await asGateway('presence.disconnect', { ...device, gateway: 'gateway-a' });
      await graceOver(paul, pauls);
    } finally {
      clearInterval(refreshing);
    }
    assert.deepEqual(pauls.feed.about('pia').map((e) => e.status), ['offline', 'online']);
  });

  it('refuses a status it does not know', async () => {
    const otto = await pod.user('otto');
    await assert.rejects(otto.op('presence.set', { status: 'sleeping' as 'away' }), { code: 'invalid' });
  });

  it('state plus events equals fresh state', async () => {
    const pam = await pod.user('pam');
    const quin = await pod.user('quin');
    const rex = await pod.user('rex');
    const pams = await watching(pam, quin);
    await befriend(rex, pam);
    await pams.feed.next({ name: 'rex', status: 'offline' });
    await pams.feed.next({ name: 'pam', status: 'online' });
    const fetched = (await pams.client.request('presence.list', {})).presence;
    const quins = await connect(quin);
    await quins.client.request('presence.set', { status: 'away', text: 'meeting' });
    await connect(rex);
    await rex.op('presence.set', { status: 'busy' });
    quins.client.close();
    await pams.feed.next({ name: 'quin', status: 'offline' });
    await pams.feed.next({ name: 'rex', status: 'busy' });
    const fresh = (await pams.client.request('presence.list', {})).presence;
    // Every event counts, even one that arrived before the first answer: each carries a whole entry.
    assert.deepEqual(applyPresence(fetched, pams.feed.seen).sort(byName), [...fresh].sort(byName));
    assert.deepEqual(fresh, [
      { name: 'pam', status: 'online', text: '' },
      { name: 'quin', status: 'offline', text: '' },
      { name: 'rex', status: 'busy', text: '' },
    ]);
  });
});
