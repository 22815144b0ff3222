import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type Cluster, type ClusterUser } from './helpers/cluster.ts';
import { formatErrors, startLoad, type Sender } from './helpers/cluster-load.ts';
import { assertDeliveredOnce, checkDelivery, formatReport, recordDevice, type DeviceLog } from './helpers/delivery-checker.ts';

// Two gateways and one app-server process. One gateway dies by SIGKILL mid-load: its clients,
// which know both gateways' addresses, reconnect to the other and resume from their seq, and
// resend their unanswered requests under the same ids.

const USERS = 12;
const PER_SENDER = 100;

let cluster: Cluster;

before(async () => {
  cluster = await startCluster({ gateways: 2, appServers: 1 });
});

after(async () => {
  await cluster?.teardown();
});

describe('a gateway killed under load', () => {
  test('its clients fail over to the other gateway and resume without gap or repeat', async () => {
    try {
      const everyone: ClusterUser[] = [];
      for (let i = 0; i < USERS; i++) everyone.push(await cluster.user(`user${i}`, { messagesFrom: 'anyone' }));
      const devices: DeviceLog[] = [];
      const senders: Sender[] = await Promise.all(
        everyone.map(async (user, index) => {
          const device = recordDevice(user.name);
          devices.push(device.log);
          const client = cluster.connect(user, { gateway: index % 2, failover: true, WebSocket: device.WebSocket, requestTimeoutMs: 5000, deliveryReceipts: false });
          await client.connect();
          return { name: user.name, client };
        }),
      );

      const load = startLoad({
        senders,
        recipient: (index, n) => everyone[(index + 1 + (n % (USERS - 1))) % USERS]!.name,
        perSender: PER_SENDER,
        concurrency: 8,
      });
      await load.reached(300);
      const [victim] = cluster.gateways;
      await cluster.kill(victim!, 'SIGKILL');
      const killedAt = load.answered();
      await load.finished;

      // The restarted gateway replays a whole mailbox to a new device of user0.
      await cluster.restart(victim!);
      const replayDevice = recordDevice(everyone[0]!.name, `${everyone[0]!.name} (replay on the restarted gateway)`);
      const replay = cluster.connect(everyone[0]!, { gateway: 0, WebSocket: replayDevice.WebSocket, after: 0, deliveryReceipts: false });
      await replay.connect();

      const report = await checkDelivery(cluster.databaseUrl, load.sent, [...devices, replayDevice.log]);
      console.log(`gateway kill: killed after ${killedAt} answers; errors seen by senders: ${formatErrors(load.errors)}`);
      console.log(formatReport('gateway kill', report));
      const failedOver = devices.filter((log, index) => index % 2 === 0 && log.received.filter((entry) => entry.kind === 'welcome').length >= 2);
      assert.equal(failedOver.length, USERS / 2, 'every client of the killed gateway welcomed again by the other');
      assert.ok(senders.every(({ client }) => client.state === 'live'));
      assert.equal(report.sent, USERS * PER_SENDER);
      assert.ok(report.requestResends > 0, 'requests unanswered at the kill were resent to the other gateway');
      assertDeliveredOnce(report);
    } catch (error) {
      console.log(cluster.outputs());
      throw error;
    }
  });
});
