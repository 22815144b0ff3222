/**
 * The distributed profile as separate processes on one machine: `pod serve --role apps` and
 * `--role gateway` processes sharing a fresh PostgreSQL schema and a NATS JetStream prefix
 * of their own, both removed again at the end (also on failure or an interrupt). For the CPU
 * breakdown it knows its processes: each gateway and app server (process trees), the
 * PostgreSQL backends each kind opened (told apart by application_name in pg_stat_activity),
 * PostgreSQL's shared processes (WAL writer, checkpointer, ...) and nats-server.
 */
import { deleteNatsStreams } from '../../packages/server/src/messenger/nats.ts';
import { mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { CpuGroup, Snapshot } from './cpu.ts';
import type { LoadTarget } from './phases.ts';
import { addCleanup, freePort, launch, repoRoot, stopChild, type ServerProcess } from './processes.ts';

const CLI = join(repoRoot, 'packages/cli/bin/pod.js');

export interface ClusterOptions {
  /** The benchmark's name, in the schema's and the stream's name. */
  benchmark: string;
  gateways: number;
  apps: number;
  natsUrl: string;
  /** The database to use, without `schema`: postgres://user@host:port/db. */
  postgresUrl: string;
  /** Temporary directory for logs (and an empty --data, so no pod.json is read). */
  work: string;
  /** Node flags per process (--cpu-prof ...). */
  nodeFlags: (role: 'gateway' | 'apps', index: number) => string[];
  /** Preload modules for app-server processes (bench/im/pg-stats.ts). */
  appImports?: string[];
  env?: Record<string, string>;
}

interface Backend {
  pid: number;
  application: string;
  type: string;
}

/** What the app servers' PostgreSQL backends were doing, sampled every POLL_MS: state and wait event -> samples. */
export type WaitSamples = Record<string, number>;
const POLL_MS = 200;

export class Cluster {
  readonly gateways: ServerProcess[] = [];
  readonly appServers: ServerProcess[] = [];
  private backends: Backend[] = [];
  private natsPid: number | undefined;
  private waits: WaitSamples = {};
  private polls = 0;
  private monitor: pg.Client | undefined;
  private poller: NodeJS.Timeout | undefined;
  private readonly removeCleanup: () => void;
  private torn: Promise<void> | undefined;

  private constructor(
    readonly options: ClusterOptions,
    /** Schema, NATS prefix and application_name stem, unique per run. */
    readonly name: string,
  ) {
    this.removeCleanup = addCleanup(() => this.teardown());
  }

  /** Creates the schema (the stream appears with the first process); nothing runs yet. */
  static async create(options: ClusterOptions): Promise<Cluster> {
    const name = `bench_${options.benchmark}_${Date.now().toString(36)}_${process.pid}`;
    const cluster = new Cluster(options, name);
    const client = new pg.Client({ connectionString: options.postgresUrl, application_name: `${name}-setup` });
    await client.connect();
    try {
      await client.query(`create schema ${name}`);
    } finally {
      await client.end();
    }
    return cluster;
  }

  /** The store URL of this run's schema, with the application_name its backends carry. */
  databaseUrl(application: string): string {
    const url = new URL(this.options.postgresUrl);
    url.searchParams.set('schema', this.name);
    url.searchParams.set('application_name', `${this.name}-${application}`);
    return url.toString();
  }

  logFiles(): string[] {
    return [...this.gateways, ...this.appServers].map((p) => p.logFile);
  }

  get urls(): string[] {
    return this.gateways.map((g) => g.url);
  }

  /** Starts the app servers, then the gateways, each on a free port; resolves when all answer /healthz. */
  async start(): Promise<void> {
    const data = join(this.options.work, 'cluster-data');
    mkdirSync(data, { recursive: true });
    this.monitor = new pg.Client({ connectionString: this.options.postgresUrl, application_name: `${this.name}-monitor` });
    await this.monitor.connect();
    await this.pollBackends();
    this.poller = setInterval(() => void this.pollBackends(), POLL_MS);
    this.natsPid = listenerPid(Number(new URL(this.options.natsUrl.split(',')[0]!).port || 4222));
    const start = async (role: 'gateway' | 'apps', index: number) => {
      const port = await freePort();
      const imports = role === 'apps' ? (this.options.appImports ?? []).flatMap((m) => ['--import', m]) : [];
      const args = [
        ...this.options.nodeFlags(role, index),
        ...(imports.length ? ['--import', 'tsx', ...imports] : []),
        CLI,
        'serve',
        '--role',
        role,
        '--nats-url',
        this.options.natsUrl,
        '--nats-prefix',
        this.name,
        '--database-url',
        this.databaseUrl(role === 'gateway' ? 'gw' : 'apps'),
        '--data',
        data,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--log-level',
        'warn',
        '--json',
      ];
      const logFile = join(this.options.work, `${role}-${index}.log`);
      // A start can fail on a shared database when another schema is dropped during the
      // migration check (see users.ts, retrySchemaRace): try again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await launch(role, `node ${args.join(' ')}`, args, logFile, port, { POD_LOG_LEVEL: 'warn', ...this.options.env });
        } catch (error) {
          if (attempt >= 3 || !/3F000|schema "[^"]+" does not exist/.test((error as Error).message)) throw error;
        }
      }
    };
    // App servers first: a gateway's first sign-in asks the directory.
    this.appServers.push(...(await Promise.all(Array.from({ length: this.options.apps }, (_, i) => start('apps', i)))));
    this.gateways.push(...(await Promise.all(Array.from({ length: this.options.gateways }, (_, i) => start('gateway', i)))));
  }

  private polling = false;
  private async pollBackends(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { rows } = await this.monitor!.query<{ pid: number; application_name: string; backend_type: string; state: string | null; wait: string | null }>(
        "select pid, application_name, backend_type, state, wait_event_type || ':' || wait_event as wait from pg_stat_activity",
      );
      this.backends = rows.map((r) => ({ pid: r.pid, application: r.application_name, type: r.backend_type }));
      this.polls++;
      for (const r of rows) {
        if (r.application_name !== `${this.name}-apps`) continue;
        const key = `${r.state ?? '?'} ${r.state === 'active' ? (r.wait ?? 'on CPU') : (r.wait ?? '')}`.trim();
        this.waits[key] = (this.waits[key] ?? 0) + 1;
      }
    } catch {
      // keep the last list; the monitor may be closing
    } finally {
      this.polling = false;
    }
  }

  /**
   * The wait samples since the last call (and how many polls they came from), and the
   * database's deadlock count (pg_stat_database: the whole database, others' work included);
   * starts counting afresh.
   */
  async takeWaits(): Promise<{ polls: number; intervalMs: number; samples: WaitSamples; deadlocks: number }> {
    const out = { polls: this.polls, intervalMs: POLL_MS, samples: this.waits, deadlocks: 0 };
    this.waits = {};
    this.polls = 0;
    const { rows } = await this.monitor!.query<{ deadlocks: string }>('select deadlocks from pg_stat_database where datname = current_database()');
    const total = Number(rows[0]?.deadlocks ?? 0);
    out.deadlocks = total - this.deadlocks;
    this.deadlocks = total;
    return out;
  }
  private deadlocks = 0;

  /**
   * The load target: users carry their gateway's url; CPU is counted per process and for
   * PostgreSQL and NATS. PostgreSQL's shared processes and nats-server serve every user of
   * this machine, so on a shared machine they may include someone else's work.
   */
  target(): LoadTarget {
    const backendsOf = (application: string) => () => this.backends.filter((b) => b.application === `${this.name}-${application}`).map((b) => b.pid);
    const shared = (s: Snapshot) => {
      const aux = this.backends.filter((b) => b.type !== 'client backend').map((b) => b.pid);
      // The postmaster (accepting and forking connections) is the auxiliary processes' parent.
      const postmaster = aux.map((pid) => s.procs.get(pid)?.ppid).find((pid) => pid !== undefined && s.procs.get(pid)?.comm === 'postgres');
      return postmaster === undefined ? aux : [...aux, postmaster];
    };
    const groups: CpuGroup[] = [
      ...this.gateways.map((g, i): CpuGroup => ({ name: `gateway ${i}`, pids: (s) => s.tree(g.pid) })),
      ...this.appServers.map((a, i): CpuGroup => ({ name: `apps ${i}`, pids: (s) => s.tree(a.pid) })),
      { name: 'postgres backends of gateways', pids: backendsOf('gw') },
      { name: 'postgres backends of apps', pids: backendsOf('apps') },
      { name: 'postgres shared (wal writer, checkpointer, ...)', pids: shared },
      // The nats-server that listens on --nats-url's port, not others on this machine (tests start their own).
      { name: 'nats-server', pids: (s) => (this.natsPid !== undefined ? [this.natsPid] : s.byComm('nats-server')) },
    ];
    return { url: this.gateways[0]!.url, pid: this.gateways[0]!.pid, cpuGroups: groups };
  }

  /** Stops every process (gateways first, so nothing new reaches the app servers), then removes the stream and the schema. */
  stop(): Promise<void> {
    this.removeCleanup();
    return this.teardown();
  }

  private teardown(): Promise<void> {
    this.torn ??= (async () => {
      clearInterval(this.poller);
      await Promise.all(this.gateways.map((g) => stopChild(g.child, 10_000)));
      await Promise.all(this.appServers.map((a) => stopChild(a.child, 10_000)));
      await this.monitor?.end().catch(() => {});
      const problems: string[] = [];
      await deleteNatsStreams(this.options.natsUrl, this.name).catch((error: unknown) => problems.push(`NATS stream ${this.name}-apps: ${(error as Error).message}`));
      const client = new pg.Client({ connectionString: this.options.postgresUrl, application_name: `${this.name}-teardown` });
      try {
        await client.connect();
        // A backend that outlived its process would hold locks on the schema's tables.
        await client.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = any($1)', [[`${this.name}-gw`, `${this.name}-apps`]]);
        await client.query(`drop schema if exists ${this.name} cascade`);
      } catch (error) {
        problems.push(`schema ${this.name}: ${(error as Error).message}`);
      } finally {
        await client.end().catch(() => {});
      }
      if (problems.length) throw new Error(`could not remove ${problems.join('; ')}`);
    })();
    return this.torn;
  }
}

/** The process listening on a local TCP port (from /proc/net/tcp* and the processes' socket fds), if this user may see it. */
function listenerPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port) inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${name}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(name);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}
