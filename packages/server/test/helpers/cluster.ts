import { callOp, connectNode, login, type ClientOpName, type OpInput, type OpOutput, type PodClient, type PodClientOptions } from '@pod/sdk/node';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createUserOffline } from '../../src/index.ts';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
import { freePort, onExit, startChild, type Child } from './processes.ts';
import { TEST_POSTGRES_URL } from './profile.ts';

const POD_BIN = fileURLToPath(new URL('../../../cli/bin/pod.js', import.meta.url));
const NATS_SERVER = process.env.POD_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

export interface ClusterOptions {
  gateways: number;
  /** How many app-server processes run every app, or for each process the apps it runs (`--apps`). */
  appServers: number | string[][];
  /** A PostgreSQL cluster of the test's own, which it may stop; otherwise a schema on the machine's server. */
  privatePostgres?: boolean;
  /** More `pod serve` flags for every process (`--presence-grace-ms 500`). */
  flags?: string[];
}

/** One `pod serve` process. `url` is where clients connect (gateway) or /healthz answers (apps). */
export interface PodProcess {
  role: 'gateway' | 'apps';
  name: string;
  url: string;
  alive: boolean;
}

export interface ClusterUser {
  name: string;
  password: string;
  token: string;
}

export interface Cluster {
  natsUrl: string;
  natsPrefix: string;
  databaseUrl: string;
  gateways: PodProcess[];
  appServers: PodProcess[];
  /** Creates an account offline and signs it in through a live gateway. */
  user(name: string, options?: { messagesFrom?: 'anyone' | 'buddies' }): Promise<ClusterUser>;
  /** One operation over HTTP, through a live gateway. */
  op<N extends ClientOpName>(user: ClusterUser, op: N, body: OpInput<N>): Promise<OpOutput<N>>;
  /**
   * A socket client on gateway `gateway`; with `failover`, the other gateways follow it in its
   * address list, so it reconnects to them when its own dies. Closed at teardown.
   */
  connect(user: ClusterUser, options: { gateway: number; failover?: boolean } & Partial<PodClientOptions>): PodClient;
  /** The last lines each process wrote (its warnings and errors), for a failure message. */
  outputs(): string;
  kill(proc: PodProcess, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped process again, on the port it had. */
  restart(proc: PodProcess): Promise<void>;
  nats: { stop(signal?: NodeJS.Signals): Promise<void>; start(): Promise<void> };
  /** Present with `privatePostgres`. */
  postgres?: Pick<PrivatePostgres, 'stop' | 'start'>;
  /** Stops and removes everything, whatever state the test left it in. */
  teardown(): Promise<void>;
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function startNats(port: number, storeDir: string): Promise<Child> {
  const args = ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)];
  return (await startChild(NATS_SERVER, args, (line) => (line.includes('Server is ready') ? true : undefined))).child;
}

/** The `--json` line a `pod serve` process prints once it listens (its logs are JSON lines too, with `level`). */
function serveAnswer(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const json = JSON.parse(line) as { url?: unknown; role?: unknown };
    return typeof json.url === 'string' && typeof json.role === 'string' ? json.url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A multi-process pod on this machine: its own nats-server with JetStream in a temporary
 * directory, a fresh store, and gateway and app-server processes started with `pod serve`.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'pod-cluster-'));
  const run = /^[a-z0-9]{1,16}$/.test(process.env.POD_TEST_RUN ?? '') ? process.env.POD_TEST_RUN : 'adhoc';
  const schema = `pod_test_${run}_${randomBytes(6).toString('hex')}`;
  const natsPort = await freePort();
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const natsPrefix = `cluster-${randomBytes(4).toString('hex')}`;
  const children = new Map<PodProcess, { child?: Child; port: number; args: string[] }>();
  const clients: PodClient[] = [];
  let nats: Child | undefined;
  let privatePostgres: PrivatePostgres | undefined;
  let serverUrl = TEST_POSTGRES_URL;

  const launch = async (proc: PodProcess) => {
    const entry = children.get(proc)!;
    const { child, found } = await startChild(process.execPath, [POD_BIN, 'serve', ...entry.args, '--port', String(entry.port)], serveAnswer, 90_000);
    entry.child = child;
    entry.port = Number(new URL(found).port);
    proc.url = found;
    proc.alive = true;
    void child.exited.then(() => {
      if (entry.child === child) proc.alive = false;
    });
  };

  // The child processes and a private cluster see to themselves; this is the rest.
  const forget = onExit(() => {
    try {
      if (!privatePostgres) execFileSync('psql', [serverUrl, '-qc', `drop schema if exists ${schema} cascade`], { stdio: 'ignore' });
    } catch {
      // scripts/test.js drops a run's leftover schemas; the directory goes all the same
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const teardown = async () => {
    for (const client of clients) client.close();
    await Promise.all([...children.values()].map((entry) => entry.child?.kill('SIGKILL')));
    await nats?.kill('SIGKILL');
    if (privatePostgres) await privatePostgres.destroy();
    else await adminQuery(serverUrl, `drop schema if exists ${schema} cascade`).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    forget();
  };

  try {
    nats = await startNats(natsPort, join(dir, 'jetstream'));
    if (options.privatePostgres) {
      privatePostgres = await startPrivatePostgres();
      serverUrl = privatePostgres.url;
    }
    await adminQuery(serverUrl, `create schema ${schema}`);
  } catch (error) {
    await teardown();
    throw error;
  }
  const databaseUrl = `${serverUrl}?schema=${schema}`;
  const common = ['--nats-url', natsUrl, '--nats-prefix', natsPrefix, '--database-url', databaseUrl, '--host', '127.0.0.1', '--data', dir, '--json', '--log-level', 'warn', ...(options.flags ?? [])];
  const gateways: PodProcess[] = [];
  const appServers: PodProcess[] = [];
  for (let i = 0; i < options.gateways; i++) {
    const proc: PodProcess = { role: 'gateway', name: `gateway-${i}`, url: '', alive: false };
    children.set(proc, { port: 0, args: ['--role', 'gateway', ...common] });
    gateways.push(proc);
  }
  const appSets = typeof options.appServers === 'number' ? Array.from({ length: options.appServers }, () => undefined) : options.appServers;
  appSets.forEach((apps, i) => {
    const proc: PodProcess = { role: 'apps', name: apps ? `apps-${i} (${apps.join(',')})` : `apps-${i}`, url: '', alive: false };
    children.set(proc, { port: 0, args: ['--role', 'apps', ...(apps ? ['--apps', apps.join(',')] : []), ...common] });
    appServers.push(proc);
  });
  try {
    // App servers first: they run the migrations, and a gateway answers logins only through them.
    await Promise.all(appServers.map(launch));
    await Promise.all(gateways.map(launch));
  } catch (error) {
    await teardown();
    throw error;
  }

  const liveGateway = () => {
    const gateway = gateways.find((g) => g.alive);
    if (!gateway) throw new Error('no gateway is running');
    return gateway.url;
  };

  return {
    natsUrl,
    natsPrefix,
    databaseUrl,
    gateways,
    appServers,
    async user(name, userOptions = {}) {
      const password = `${name}-secret-password`;
      await createUserOffline(databaseUrl, { name, password, admin: false });
      const { token } = await login(liveGateway(), name, password, `${name}'s test device`);
      const user = { name, password, token };
      if (userOptions.messagesFrom) await callOp(liveGateway(), token, 'settings.update', { messagesFrom: userOptions.messagesFrom });
      return user;
    },
    op: (user, op, body) => callOp(liveGateway(), user.token, op, body),
    connect(user, { gateway, failover, ...clientOptions }) {
      const rest = failover ? [...gateways.slice(gateway + 1), ...gateways.slice(0, gateway)].map((g) => g.url) : [];
      const client = connectNode({ url: gateways[gateway]!.url, urls: rest, token: user.token, ...clientOptions });
      clients.push(client);
      return client;
    },
    outputs: () =>
      [...[...children].map(([proc, entry]) => `--- ${proc.name}${proc.alive ? '' : ' (stopped)'}\n${entry.child?.output() ?? ''}`), `--- nats-server\n${nats?.output() ?? ''}`].join('\n'),
    async kill(proc, signal = 'SIGKILL') {
      await children.get(proc)!.child?.kill(signal);
      proc.alive = false;
    },
    async restart(proc) {
      if (proc.alive) throw new Error(`${proc.name} is running; kill it first`);
      await launch(proc);
    },
    nats: {
      async stop(signal = 'SIGKILL') {
        await nats?.kill(signal);
      },
      async start() {
        nats = await startNats(natsPort, join(dir, 'jetstream'));
      },
    },
    postgres: privatePostgres && { stop: privatePostgres.stop, start: privatePostgres.start },
    teardown,
  };
}
