import { callOp, connectNode, login, type PodClient, type PodEvent } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createUserOffline } from '../src/index.ts';
import { deleteNatsStreams } from '../src/messenger/nats.ts';
import { freePort } from './helpers/processes.ts';
import {
  checkConfig,
  deriveTestConfig,
  fetchTrusting,
  requireHaproxy,
  selfSignedCertificate,
  serverStates,
  SHIPPED_CONFIG,
  startHaproxy,
  stopProcess,
  waitFor,
  webSocketsTrusting,
  type RunningHaproxy,
  type ServerState,
} from './helpers/haproxy.ts';
import { createTestDatabase, type TestDatabase } from './helpers/profile.ts';

// HAProxy balances separate gateway processes, which meet only through PostgreSQL and NATS.
process.env.POD_TEST_PROFILE = 'distributed';
const natsUrl = process.env.POD_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
// Named like scripts/test.js's runs, so that it deletes the stream if this test cannot.
const natsPrefix = `podtest-${/^[a-z0-9]{1,16}$/.test(process.env.POD_TEST_RUN ?? '') ? process.env.POD_TEST_RUN : 'adhoc'}-${randomBytes(3).toString('hex')}`;

const podBin = fileURLToPath(new URL('../../cli/bin/pod.js', import.meta.url));

const portOf = (url: string) => new URL(url).port;
const texts = (events: PodEvent[]) => events.flatMap((event) => (event.type === 'im.message' ? [event.body.text] : []));

describe('HAProxy in front of two gateways, configured as deploy/haproxy/haproxy.cfg ships', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pod-haproxy-'));
  const children: ChildProcess[] = [];
  const clients: PodClient[] = [];
  let certificate: { pemFile: string; certificate: string };
  let database: TestDatabase | undefined;
  let haproxy: RunningHaproxy | undefined;

  /** A `pod serve --role ...` process; resolves once it prints the JSON line with its URL. */
  const servePart = (role: 'gateway' | 'apps', databaseUrl: string): Promise<{ child: ChildProcess; url: string }> => {
    const child = spawn(process.execPath, [podBin, 'serve', '--role', role, '--host', '127.0.0.1', '--port', '0', '--json'], {
      env: { ...process.env, POD_LOG_LEVEL: 'warn', POD_DATABASE_URL: databaseUrl, POD_NATS_URL: natsUrl, POD_NATS_PREFIX: natsPrefix },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`pod serve --role ${role} exited with ${code} before listening`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /"url":"([^"]+)"/.exec(line);
        if (match) resolve({ child, url: match[1]! });
      });
    });
  };

  before(() => {
    certificate = selfSignedCertificate(dir);
  });
  after(async () => {
    for (const client of clients) client.close();
    await haproxy?.stop();
    // Gateways before the application server, as in a planned stop: a gateway's last requests
    // (presence updates for the sockets it closes) still find the applications they need.
    for (const child of [...children].reverse()) await stopProcess(child);
    await database?.drop();
    await deleteNatsStreams(natsUrl, natsPrefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes haproxy -c as shipped', () => {
    requireHaproxy();
    const { ok, output } = checkConfig(fileURLToPath(SHIPPED_CONFIG), { POD_HAPROXY_CERT: certificate.pemFile });
    assert.ok(ok, output);
    // The only warnings allowed: this machine has no hosts named gateway1, apps1, ...
    const warnings = output.split('\n').filter((line) => line.includes('[WARNING]') && !line.includes('could not resolve address'));
    assert.deepEqual(warnings, []);
  });

  it('carries sign-in and live sockets, marks a killed gateway DOWN, and new and returning clients resume through the other', async () => {
    requireHaproxy();
    database = await createTestDatabase(dir);
    const databaseUrl = database.url;
    for (const name of ['alice', 'bob']) await createUserOffline(databaseUrl, { name, password: `${name}-long-password`, admin: false });
    const [apps, gateway1, gateway2] = await Promise.all([servePart('apps', databaseUrl), servePart('gateway', databaseUrl), servePart('gateway', databaseUrl)]);

    const statsSocket = join(dir, 'haproxy.sock');
    const [httpPort, httpsPort, statsPort, nobodyPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const configFile = join(dir, 'haproxy.cfg');
    const servers = { gateway1: `127.0.0.1:${portOf(gateway1.url)}`, gateway2: `127.0.0.1:${portOf(gateway2.url)}`, apps1: `127.0.0.1:${portOf(apps.url)}`, apps2: `127.0.0.1:${nobodyPort}` };
    writeFileSync(configFile, deriveTestConfig(readFileSync(SHIPPED_CONFIG, 'utf8'), { httpPort, httpsPort, statsPort, statsSocket, servers }));
    const proxy = startHaproxy(configFile, { POD_HAPROXY_CERT: certificate.pemFile });
    haproxy = proxy;
    const states = () => serverStates(statsSocket).catch(() => new Map<string, ServerState>());
    const statusOf = async (server: string) => (await states()).get(server)?.status ?? 'unknown';
    const proxyLog = () => proxy.output().slice(-4000);

    // The health check proper: the gateways pass /healthz and the upgrade; apps2 has no process.
    await waitFor('both gateways and apps1 UP, apps2 DOWN', async () => {
      const now = await states();
      return ['gateways/gateway1', 'gateways/gateway2', 'apps/apps1'].every((s) => now.get(s)?.status === 'UP') && now.get('apps/apps2')?.status === 'DOWN';
    }, 15_000, proxyLog);

    const base = `https://localhost:${httpsPort}`;
    const fetchTls = fetchTrusting(certificate.certificate);
    const sockets = webSocketsTrusting(certificate.certificate);
    const redirect = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { redirect: 'manual' });
    assert.equal(redirect.status, 301, 'plain HTTP is sent to HTTPS');

    const alice = await login(base, 'alice', 'alice-long-password', 'alice laptop', { fetch: fetchTls });
    const bobDevices = await Promise.all(['bob phone', 'bob laptop'].map((device) => login(base, 'bob', 'bob-long-password', device, { fetch: fetchTls })));
    await callOp(base, bobDevices[0]!.token, 'settings.update', { messagesFrom: 'anyone' }, { fetch: fetchTls });
    const connectCollecting = async (token: string) => {
      const client = connectNode({ url: base, token, requestTimeoutMs: 5000, WebSocket: sockets.WebSocket });
      clients.push(client);
      const events: PodEvent[] = [];
      client.on('*', (event) => events.push(event));
      await client.connect();
      return events;
    };
    const bobEvents = await Promise.all(bobDevices.map((device) => connectCollecting(device.token)));
    // leastconn: the second socket goes to the gateway without one.
    await waitFor('one socket on each gateway', async () => {
      const now = await states();
      return now.get('gateways/gateway1')?.current === 1 && now.get('gateways/gateway2')?.current === 1;
    }, 5000, proxyLog);

    const send = (text: string) => callOp(base, alice.token, 'im.send', { to: 'bob', text }, { fetch: fetchTls });
    await send('before the crash');
    await waitFor('the message live on both of bob\'s sockets', () => bobEvents.every((events) => texts(events).includes('before the crash')), 5000);

    gateway1.child.kill('SIGKILL');
    await waitFor('HAProxy to mark gateway1 DOWN', async () => (await statusOf('gateways/gateway1')).startsWith('DOWN'), 10_000, proxyLog);
    assert.equal(await statusOf('gateways/gateway2'), 'UP');

    await send('after the crash');
    // The device whose gateway died reconnects through HAProxy and resumes after its cursor.
    await waitFor('both of bob\'s devices to have the message sent after the crash', () => bobEvents.every((events) => texts(events).includes('after the crash')), 15_000, proxyLog);
    assert.equal(sockets.opened(), 3, 'exactly one device reconnected');
    for (const events of bobEvents) {
      assert.deepEqual(texts(events), ['before the crash', 'after the crash'], 'each message once, in order');
      const seqs = events.flatMap((event) => (event.seq === undefined ? [] : [event.seq]));
      assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), 'stored events once each, in order');
    }

    const newcomer = await login(base, 'bob', 'bob-long-password', 'bob tablet', { fetch: fetchTls });
    const newcomerEvents = await connectCollecting(newcomer.token);
    await waitFor('the new device to replay both messages', () => texts(newcomerEvents).length === 2, 5000);
    assert.deepEqual(texts(newcomerEvents), ['before the crash', 'after the crash']);
    await waitFor('all three sockets on gateway2', async () => (await states()).get('gateways/gateway2')?.current === 3, 5000, proxyLog);
  });
});
