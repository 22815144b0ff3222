import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type Cluster, type ClusterUser } from './helpers/cluster.ts';
import { formatErrors, startLoad, type Sender } from './helpers/cluster-load.ts';
import { assertDeliveredOnce, checkDelivery, formatReport, recordDevice, type DeviceLog } from './helpers/delivery-checker.ts';

// Two gateways and two app-server processes (each running every app, competing for the same
// work queues). One app server dies by SIGKILL early in the load and stays dead: what it had
// taken and not acknowledged goes to the survivor after JetStream's ack wait (30 s), and every
// retry under the same request id must find the first answer instead of storing the message again.

const USERS = 40;
const PER_SENDER = 250;

let cluster: Cluster;

before(async () => {
  cluster = await startCluster({ gateways: 2, appServers: 2 });
});

after(async () => {
  await cluster?.teardown();
});

/** Creates `count` users a few at a time (each costs an argon2 hash here and at login). */
async function users(count: number): Promise<ClusterUser[]> {
  const created: ClusterUser[] = [];
  for (let i = 0; i < count; i += 8) {
    const names = Array.from({ length: Math.min(8, count - i) }, (_, j) => `user${i + j}`);
    created.push(...(await Promise.all(names.map((name) => cluster.user(name, { messagesFrom: 'anyone' })))));
  }
  return created;
}

describe('an app server killed under load', () => {
  test(`kill -9 of one of two app servers during ${USERS * PER_SENDER} sends: each stored exactly once`, async () => {
    try {
      const everyone = await users(USERS);
      const devices: DeviceLog[] = [];
      const senders: Sender[] = await Promise.all(
        everyone.map(async (user, index) => {
          const device = recordDevice(user.name);
          devices.push(device.log);
          // Receipts would double the load without testing anything more here. A request stranded
          // on the dead server waits out the ack wait (30 s); resent every 10 s it holds few of
          // the gateway's 64 slots per socket (each resend takes one until answered).
          const client = cluster.connect(user, { gateway: index % 2, WebSocket: device.WebSocket, requestTimeoutMs: 10_000, retries: 2, deliveryReceipts: false });
          await client.connect();
          return { name: user.name, client };
        }),
      );

      const started = Date.now();
      const load = startLoad({
        senders,
        recipient: (index, n) => everyone[(index + 1 + (n % (USERS - 1))) % USERS]!.name,
        perSender: PER_SENDER,
        concurrency: 8,
      });
      await load.reached(1000);
      await cluster.kill(cluster.appServers[0]!, 'SIGKILL');
      const killedAt = load.answered();
      await load.finished;
      const loadMs = Date.now() - started;

      const report = await checkDelivery(cluster.databaseUrl, load.sent, devices);
      console.log(`app-server kill: killed after ${killedAt} answers, load took ${loadMs} ms; errors seen by senders: ${formatErrors(load.errors)}`);
      console.log(formatReport('app-server kill', report));
      assert.equal(report.sent, USERS * PER_SENDER);
      assert.ok(report.requestResends > 0, 'the kill stranded requests, which the clients resent');
      assertDeliveredOnce(report);
    } catch (error) {
      console.log(cluster.outputs());
      throw error;
    }
  });
});
