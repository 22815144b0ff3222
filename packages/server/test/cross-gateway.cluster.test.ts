import type { PresenceEntry } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type Cluster } from './helpers/cluster.ts';
import { startLoad } from './helpers/cluster-load.ts';
import { assertDeliveredOnce, checkDelivery, formatReport, recordDevice } from './helpers/delivery-checker.ts';
import { nextEvent } from './helpers/pod.ts';

// Two gateways and two app-server processes (directory and presence in one, im in the other,
// so sending asks the directory across processes), each a `pod serve` of its own, meeting
// through a nats-server and a PostgreSQL schema of this test's own.

/** Generous: a presence change crosses four processes on a machine shared with other tests. */
const PRESENCE_WAIT_MS = 15_000;

let cluster: Cluster;

before(async () => {
  cluster = await startCluster({ gateways: 2, appServers: [['directory', 'presence'], ['im']], flags: ['--presence-grace-ms', '300'] });
});

after(async () => {
  await cluster?.teardown();
});

const isPresence = (name: string, status: PresenceEntry['status'], text?: string) => (event: { type: string; body: unknown }) => {
  if (event.type !== 'presence') return false;
  const entry = event.body as PresenceEntry;
  return entry.name === name && entry.status === status && (text === undefined || entry.text === text);
};

describe('users on different gateways', () => {
  test('see each other\'s presence and exchange messages, each delivered once and live without gap', async () => {
    try {
      const alice = await cluster.user('alice');
      const bob = await cluster.user('bob');
      await cluster.op(alice, 'buddies.add', { name: bob.name });
      await cluster.op(bob, 'buddies.accept', { name: alice.name });

      const aliceDevice = recordDevice(alice.name);
      const bobDevice = recordDevice(bob.name);
      const aliceClient = cluster.connect(alice, { gateway: 0, WebSocket: aliceDevice.WebSocket, requestTimeoutMs: 5000 });
      await aliceClient.connect();
      const bobOnline = nextEvent(aliceClient, isPresence('bob', 'online'), PRESENCE_WAIT_MS);
      const bobClient = cluster.connect(bob, { gateway: 1, WebSocket: bobDevice.WebSocket, requestTimeoutMs: 5000 });
      await bobClient.connect();
      await bobOnline;

      const bobAway = nextEvent(aliceClient, isPresence('bob', 'away', 'lunch'), PRESENCE_WAIT_MS);
      const aliceBusy = nextEvent(bobClient, isPresence('alice', 'busy', 'in a call'), PRESENCE_WAIT_MS);
      await bobClient.request('presence.set', { status: 'away', text: 'lunch' });
      await aliceClient.request('presence.set', { status: 'busy', text: 'in a call' });
      await Promise.all([bobAway, aliceBusy]);
      const { presence } = await aliceClient.request('presence.list', {});
      assert.deepEqual(presence.find((entry) => entry.name === 'bob'), { name: 'bob', status: 'away', text: 'lunch' });

      const perSender = 100;
      const load = startLoad({
        senders: [
          { name: alice.name, client: aliceClient },
          { name: bob.name, client: bobClient },
        ],
        recipient: (index) => (index === 0 ? bob.name : alice.name),
        perSender,
        concurrency: 8,
      });
      await load.finished;

      const report = await checkDelivery(cluster.databaseUrl, load.sent, [aliceDevice.log, bobDevice.log]);
      const bobOffline = nextEvent(aliceClient, isPresence('bob', 'offline'), PRESENCE_WAIT_MS);
      bobClient.close();
      await bobOffline;

      console.log(formatReport('cross-gateway', report));
      assert.equal(report.sent, 2 * perSender);
      assertDeliveredOnce(report);
    } catch (error) {
      console.log(cluster.outputs());
      throw error;
    }
  });
});
