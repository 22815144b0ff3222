import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type Cluster, type ClusterUser } from './helpers/cluster.ts';
import { formatErrors, startLoad, type Load, type Sender } from './helpers/cluster-load.ts';
import { assertDeliveredOnce, checkDelivery, formatReport, recordDevice, resendsOf, type DeviceLog } from './helpers/delivery-checker.ts';
import { pollUntil } from './helpers/processes.ts';

// Two gateways and an app-server process over a nats-server and a PostgreSQL cluster of this
// test's own. Under a steady load, NATS dies (SIGKILL) and comes back on its port and store,
// then PostgreSQL crashes (immediate stop) and comes back. While each is down the senders
// see no answers, errors and SDK resends; once it is back every message must be stored once.

const USERS = 10;
const PER_SENDER = 300;

let cluster: Cluster;

before(async () => {
  cluster = await startCluster({ gateways: 2, appServers: 1, privatePostgres: true });
});

after(async () => {
  await cluster?.teardown();
});

/** Failed attempts the senders saw plus requests their SDKs sent again: what an outage looks like to a client. */
function trouble(load: Load, devices: DeviceLog[]): number {
  const errors = [...load.errors.values()].reduce((sum, n) => sum + n, 0);
  return devices.reduce((sum, log) => sum + resendsOf(log), errors);
}

describe('NATS and PostgreSQL restarted under load', () => {
  test('senders retry through each outage, and every message is stored once', async () => {
    try {
      const everyone: ClusterUser[] = [];
      for (let i = 0; i < USERS; i++) everyone.push(await cluster.user(`user${i}`, { messagesFrom: 'anyone' }));
      const devices: DeviceLog[] = [];
      const senders: Sender[] = await Promise.all(
        everyone.map(async (user, index) => {
          const device = recordDevice(user.name);
          devices.push(device.log);
          const client = cluster.connect(user, { gateway: index % 2, WebSocket: device.WebSocket, requestTimeoutMs: 5000, retries: 1, deliveryReceipts: false });
          await client.connect();
          return { name: user.name, client };
        }),
      );
      const total = USERS * PER_SENDER;
      const load = startLoad({
        senders,
        recipient: (index, n) => everyone[(index + 1 + (n % (USERS - 1))) % USERS]!.name,
        perSender: PER_SENDER,
        concurrency: 8,
      });
      const outages: string[] = [];
      const outage = async (name: string, stop: () => Promise<void>, start: () => Promise<void>) => {
        const before = trouble(load, devices);
        const answeredBefore = load.answered();
        await stop();
        await pollUntil(`senders to notice ${name} is down`, () => trouble(load, devices) > before, 20_000);
        await start();
        // Back means answering again: at least one more send goes through.
        await load.reached(load.answered() + 1);
        outages.push(`${name}: ${trouble(load, devices) - before} errors and resends, ${load.answered() - answeredBefore} answers across it`);
      };

      await load.reached(total / 4);
      await outage('NATS', () => cluster.nats.stop('SIGKILL'), () => cluster.nats.start());
      await load.reached(total / 2);
      await outage('PostgreSQL', () => cluster.postgres!.stop('immediate'), () => cluster.postgres!.start());
      await load.finished;

      const report = await checkDelivery(cluster.databaseUrl, load.sent, devices);
      console.log(`engine restarts: ${outages.join('; ')}; errors seen by senders: ${formatErrors(load.errors)}`);
      console.log(formatReport('engine restarts', report));
      assert.ok(senders.every(({ client }) => client.state === 'live'));
      assert.equal(report.sent, total);
      assertDeliveredOnce(report);
    } catch (error) {
      console.log(cluster.outputs());
      throw error;
    }
  });
});
