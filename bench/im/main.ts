/**
 * `npm run bench -- im [flags]`: Pod's instant messages under load, against a bare router
 * baseline in the same run, and with --profile distributed the distributed profile (gateway
 * and app-server processes on PostgreSQL and NATS) beside the embedded one. See --help.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster } from './cluster.ts';
import { readPgStats, renderWaits } from './compare.ts';
import { runIdle, runSync, stepUp, ThroughputRun, type ThroughputOptions } from './phases.ts';
import { countLines, installCleanup, killAll, repoRoot, runCleanups, sleep, startBaseline, startPodServer, type ServerProcess } from './processes.ts';
import { readSqlStats, render, renderSqlStats, summarize, writeJson, type BenchResult } from './report.ts';
import type { UserSpec } from './ipc.ts';
import { createUsers, loginAll, pairUsers, specs, userName, type BenchUser } from './users.ts';
import { ENGINE_FLAGS, parseFlags, PROCESS_FLAGS } from '../flags.ts';

const HELP = `npm run bench -- im [flags]

Throughput (default): N users, one connection each, paired as buddies, send 1:1 messages at an
offered rate stepped up until delivered < 95% of offered or p99 > 1 s; then an offline recipient
syncs K stored messages. The same steps run against a bare ws router (bench/im/baseline-router.ts).
Idle (--idle): M idle authenticated connections, server RSS per connection, Pod and baseline.
Distributed (--profile distributed): the same throughput steps and sync also run, alternating,
against G gateway and A app-server processes (pod serve --role gateway|apps) on a fresh
PostgreSQL schema and NATS prefix (both removed at the end); users connect to the gateways
round robin, so every message crosses gateways. Reports the ratio distributed/embedded, p50/p99
at a rate both kept up with, and CPU per process (gateways, app servers, PostgreSQL backends,
nats-server) at each saturation step, per 1000 messages.

  --users N            connected users (default 1000)
  --rate R             first offered rate, messages/s over all senders (default 1000; 50 with
                       --profile distributed, so that both profiles share some steps)
  --factor F           rate multiplier per step (default 1.5)
  --max-rate R         stop before a step above this rate (default 60000)
  --max-steps N        at most this many steps (default 20)
  --step-seconds S     send window of each step (default 5)
  --drain-seconds S    after a step, wait at most this long for messages in flight (default 10)
  --warmup-seconds S   unreported warm-up at the first rate (default 3)
  --no-confirm         stop at the first failing step (default: run it again once, and up to twice
                       more while other processes use > 50% of a core; noise is common)
  --quiet-wait S       before each step, wait up to S s for other processes to use < 30% CPU (default 15)
  --offline-messages K messages stored for the offline recipient (default 10000; 0 skips)
  --text-bytes B       message text length (default 100)
  --generators G       load-generator processes (default 2)
  --idle               run the idle-connection mode instead of throughput
  --all                run throughput, sync and idle
  --connections M      idle connections (default 10000)
  --skip-baseline      no baseline router
  --skip-pod           no embedded Pod (with --profile distributed: distributed only)
  --profile P          embedded (default: Pod and baseline) | distributed (adds the distributed profile)
  --gateways G         gateway processes of the distributed profile (default 2)
  --apps A             app-server processes (directory, presence, im each) of the distributed profile (default 2)
  --nats-url U         NATS with JetStream (default nats://127.0.0.1:4222)
  --postgres-url U     PostgreSQL database; the run creates and drops a schema in it (default postgres://postgres@127.0.0.1:5432/postgres)
  --server-entry E     auto | cli | script: how to start Pod (default auto: the CLI if it exists)
  --cpu-prof           profile the server processes (.cpuprofile under bench/results/prof/)
  --sql-stats          count and time Pod's SQL statements during the steps (starts Pod with startPod;
                       distributed: pg's client-side timings in the app servers, bench/im/pg-stats.ts)
  --keep-data          keep the temporary data directory
  --out FILE           write the JSON there instead of bench/results/im-<time>.json
  --render FILE        print the tables of an earlier run's JSON again (summary recomputed) and stop`;

function flags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '1000' },
      rate: { type: 'string' },
      factor: { type: 'string', default: '1.5' },
      'max-rate': { type: 'string', default: '60000' },
      'max-steps': { type: 'string', default: '20' },
      'step-seconds': { type: 'string', default: '5' },
      'drain-seconds': { type: 'string', default: '10' },
      'warmup-seconds': { type: 'string', default: '3' },
      'no-confirm': { type: 'boolean', default: false },
      'quiet-wait': { type: 'string', default: '15' },
      'offline-messages': { type: 'string', default: '10000' },
      'text-bytes': { type: 'string', default: '100' },
      generators: { type: 'string', default: '2' },
      idle: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      connections: { type: 'string', default: '10000' },
      'skip-baseline': { type: 'boolean', default: false },
      'skip-pod': { type: 'boolean', default: false },
      'server-entry': { type: 'string', default: 'auto' },
      'cpu-prof': { type: 'boolean', default: false },
      'sql-stats': { type: 'boolean', default: false },
      ...ENGINE_FLAGS,
      ...PROCESS_FLAGS,
      'keep-data': { type: 'boolean', default: false },
      out: { type: 'string' },
      render: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const num = (name: keyof typeof values, min: number, max: number): number => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min || v > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return v;
  };
  const entry = values['server-entry'];
  if (entry !== 'auto' && entry !== 'cli' && entry !== 'script') throw new Error('--server-entry is auto, cli or script');
  if (values.profile !== 'embedded' && values.profile !== 'distributed') throw new Error('--profile is embedded or distributed');
  if (!/^postgres(ql)?:\/\//.test(values['postgres-url']!) || new URL(values['postgres-url']!).searchParams.has('schema')) throw new Error('--postgres-url is postgres://user@host:port/database, without a schema');
  return {
    help: values.help!,
    users: Math.floor(num('users', 2, 100_000)),
    throughput: {
      generators: Math.floor(num('generators', 1, 16)),
      rate: values.rate === undefined ? (values.profile === 'distributed' ? 50 : 1000) : num('rate', 1, 1e6),
      factor: num('factor', 1.01, 10),
      maxRate: num('max-rate', 1, 1e7),
      maxSteps: Math.floor(num('max-steps', 1, 100)),
      stepSeconds: Math.floor(num('step-seconds', 1, 600)),
      drainSeconds: num('drain-seconds', 0, 600),
      warmupSeconds: Math.floor(num('warmup-seconds', 0, 600)),
      confirm: !values['no-confirm'],
      quietWaitSeconds: num('quiet-wait', 0, 600),
      textBytes: Math.floor(num('text-bytes', 40, 60_000)),
    } satisfies ThroughputOptions,
    offlineMessages: Math.floor(num('offline-messages', 0, 1e6)),
    idle: values.idle! || values.all!,
    throughputMode: !values.idle || values.all!,
    connections: Math.floor(num('connections', 1, 18_000)),
    baseline: !values['skip-baseline'],
    pod: !values['skip-pod'],
    entry: entry as 'auto' | 'cli' | 'script',
    cpuProf: values['cpu-prof']!,
    sqlStats: values['sql-stats']!,
    distributed: values.profile === 'distributed',
    gateways: Math.floor(num('gateways', 1, 16)),
    apps: Math.floor(num('apps', 1, 16)),
    natsUrl: values['nats-url']!,
    postgresUrl: values['postgres-url']!,
    keepData: values['keep-data']!,
    out: values.out,
    render: values.render,
  };
}

const SYNC_SENDERS = 8;
const log = (line: string) => console.log(line);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function run(argv: string[]): Promise<number> {
  const options = parseFlags(flags, argv, HELP);
  if (typeof options === 'number') return options;
  if (options.render) {
    const earlier = JSON.parse(readFileSync(options.render, 'utf8')) as BenchResult;
    earlier.summary = summarize(earlier);
    log(render(earlier));
    if (earlier.distributed?.pgWaits) log(`\n${renderWaits(earlier.distributed.pgWaits)}`);
    return 0;
  }
  installCleanup();
  const fdLimit = openFilesLimit();
  if (options.idle && fdLimit !== null && options.connections + 1000 > fdLimit)
    log(`warning: the open-files limit is ${fdLimit}; the server needs one per connection (raise it with ulimit -n, up to the hard limit)`);
  const work = mkdtempSync(join(tmpdir(), 'pod-bench-im-'));
  const profDir = join(repoRoot, 'bench/results/prof');
  const nodeFlags = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  if (options.cpuProf) mkdirSync(profDir, { recursive: true });
  const result: BenchResult = {
    benchmark: 'im',
    startedAt: new Date().toISOString(),
    machine: { cpus: availableParallelism(), node: process.version, loadAverage: loadavg() },
    options: { ...options, work },
    pod: { server: '' },
  };
  log(`im benchmark: ${options.users} users, work dir ${work}`);
  try {
    const names: BenchUser[] = Array.from({ length: options.users }, (_, i) => ({ index: i, name: userName(i), password: '', token: '' }));
    const podData = join(work, 'pod');
    const sqlStatsFile = join(work, 'sql-stats.jsonl');
    const pgStatsStem = join(work, 'pg-stats.jsonl');
    const baseData = join(work, 'baseline');
    mkdirSync(podData, { recursive: true });
    mkdirSync(baseData, { recursive: true });
    const startPod = async (label: string) => {
      const server = await startPodServer({ dataDir: podData, logFile: join(work, `pod-${label}.log`), entry: options.entry, nodeFlags, sqlStatsFile: options.sqlStats ? sqlStatsFile : undefined });
      result.pod.server = server.how;
      log(`pod (${label}) listening on ${server.url}, pid ${server.pid}`);
      return server;
    };
    const startBase = async (label: string) => {
      const server = await startBaseline({ dataDir: baseData, logFile: join(work, `baseline-${label}.log`), nodeFlags });
      result.baseline ??= { server: server.how };
      log(`baseline (${label}) listening on ${server.url}, pid ${server.pid}`);
      return server;
    };

    let pod: ServerProcess | undefined;
    let podUsers: BenchUser[] = [];
    if (options.pod) {
      const databaseUrl = `sqlite:${join(podData, 'pod.db')}`;
      let t = performance.now();
      await createUsers(databaseUrl, options.users, (done) => process.stdout.write(`\r  created ${done}/${options.users} users offline`));
      const createUsersMs = performance.now() - t;
      log(` (${seconds(createUsersMs)})`);
      pod = await startPod('setup');
      t = performance.now();
      podUsers = await loginAll(pod.url, options.users, (done) => process.stdout.write(`\r  signed in ${done}/${options.users} users over HTTP`));
      const loginMs = performance.now() - t;
      log(` (${seconds(loginMs)})`);
      t = performance.now();
      const extra: Array<[number, number]> = [];
      for (let i = 2; i < Math.min(options.users, 2 + SYNC_SENDERS); i++) extra.push([i, 0]);
      result.pairing = await pairUsers(pod.url, podUsers, extra);
      const pairMs = performance.now() - t;
      result.setup = { createUsersMs, loginMs, pairMs };
      log(
        result.pairing === 'buddies'
          ? `  paired as buddies with buddies.add/buddies.accept (${seconds(pairMs)})`
          : `  buddies.add is not there yet: every user set messagesFrom 'anyone' instead (${seconds(pairMs)})`,
      );
    }

    const dist = options.distributed ? await setUpDistributed(options, work, result, profDir, pgStatsStem) : undefined;
    const podLabel = dist ? 'embedded' : 'pod';
    if (options.throughputMode) {
      const base = options.baseline ? await startBase('throughput') : undefined;
      const runs: ThroughputRun[] = [];
      try {
        if (pod) runs.push(await ThroughputRun.open(podLabel, pod, specs(podUsers, true), options.throughput, log));
        if (dist) runs.push(await ThroughputRun.open('distributed', dist.cluster.target(), dist.specs, options.throughput, log));
        if (base) runs.push(await ThroughputRun.open('baseline', base, specs(names, false), options.throughput, log));
        log(`throughput: steps from ${options.throughput.rate}/s, x${options.throughput.factor}, ${options.throughput.stepSeconds} s each${runs.length > 1 ? `, ${runs.map((r) => r.label).join(' and ')} alternating` : ''}`);
        // With --sql-stats, Pod snapshots its counters when measuring starts (after warm-up) and ends.
        const snapshot = (phase: 'start' | 'end') => {
          if (dist) {
            const taken = dist.cluster.takeWaits().then((waits) => {
              if (phase === 'end') result.distributed!.pgWaits = waits;
            });
            pending.push(taken.catch(() => {}));
          }
          if (!options.sqlStats) return;
          if (pod) process.kill(pod.pid, 'SIGUSR1');
          for (const app of dist?.cluster.appServers ?? []) process.kill(app.pid, 'SIGUSR1');
        };
        const pending: Array<Promise<void>> = [];
        await stepUp(runs, options.throughput, log, snapshot);
        await Promise.all(pending);
        if (options.sqlStats) await sleep(500);
        if (pod && options.sqlStats) {
          result.pod.sqlStats = readSqlStats(sqlStatsFile);
          log(renderSqlStats(result.pod.sqlStats));
        }
        if (dist && options.sqlStats) {
          result.distributed!.sqlStats = readPgStats(pgStatsStem);
          log(`distributed app servers' ${renderSqlStats(result.distributed!.sqlStats, 'PostgreSQL (client-side, round trip included)')}`);
        }
        if (dist) log(renderWaits(result.distributed!.pgWaits));
      } finally {
        for (const run of runs) await run.close();
      }
      for (const run of runs) (run.label === 'baseline' ? result.baseline! : run.label === 'distributed' ? result.distributed! : result.pod).throughput = run.result();
      await base?.stop();
      const sync = async (label: string, target: Parameters<typeof runSync>[0], all: UserSpec[]) => {
        const senders = all.slice(2, 2 + SYNC_SENDERS);
        if (senders.length === 0) senders.push(all[1]!);
        log(`${label}: offline recipient ${all[0]!.name}, ${options.offlineMessages} messages from ${senders.length} buddies, then sync`);
        const s = await runSync(target, all[0]!, senders, options.offlineMessages, options.throughput.textBytes);
        log(`  stored in ${seconds(s.sendMs)}; synced ${s.distinct}/${s.messages} in ${s.msToAll === null ? '-' : seconds(s.msToAll)} (${Math.round(s.eventsPerSecond ?? 0)} events/s), dup ${s.duplicates}, out of order ${s.outOfOrder}`);
        return s;
      };
      if (pod && options.offlineMessages > 0) result.pod.sync = await sync(podLabel, pod, specs(podUsers, true));
      // One gateway for the whole sync: sync-client.ts takes one url.
      if (dist && options.offlineMessages > 0) result.distributed!.sync = await sync('distributed', dist.cluster.target(), specs(dist.users, true));
    }
    if (dist) {
      result.distributed!.serverWarnings = dist.cluster.logFiles().reduce((a, f) => a + countLines(f, /"level":(40|50|60)/), 0);
      await dist.cluster.stop();
      log(`distributed: processes stopped, schema and NATS stream ${dist.cluster.name} removed`);
    }

    if (options.idle) {
      if (dist) log('distributed: no idle-connection run (it measures one process; see the embedded figures)');
      if (pod) {
        // A fresh server process, so "before" is a server that has held no sockets yet.
        await pod.stop();
        pod = await startPod('idle');
        log(`pod: ${options.connections} idle connections (${Math.ceil(options.connections / options.users)} per user at most, sharing the user's session token)`);
        result.pod.idle = await runIdle(pod, spread(podUsers.map((u) => u.token), options.connections), options.throughput.generators, 3000, log);
      }
      if (options.baseline) {
        const base = await startBase('idle');
        log(`baseline: ${options.connections} idle connections`);
        result.baseline!.idle = await runIdle(base, spread(names.map((u) => u.name), options.connections), options.throughput.generators, 3000, log);
        await base.stop();
      }
    }
    await pod?.stop();
    result.pod.serverWarnings = countLines(join(work, 'pod-setup.log'), /"level":40/) + countLines(join(work, 'pod-idle.log'), /"level":40/);
    result.summary = summarize(result);
    result.finishedAt = new Date().toISOString();
    log(`\n${render(result)}`);
    log(`\nJSON: ${writeJson(result, options.out)}`);
    return 0;
  } catch (error) {
    console.error(`\nim benchmark failed: ${(error as Error).stack ?? error}`);
    result.finishedAt = new Date().toISOString();
    (result as BenchResult & { error?: string }).error = String(error);
    console.error(`partial JSON: ${writeJson(result, options.out)}`);
    console.error(`server logs are in ${work}`);
    options.keepData = true;
    return 1;
  } finally {
    await killAll();
    await runCleanups();
    if (!options.keepData) rmSync(work, { recursive: true, force: true });
  }
}

/** Creates the cluster's schema and users, starts its processes, signs the users in and pairs them. */
async function setUpDistributed(options: ReturnType<typeof flags>, work: string, result: BenchResult, profDir: string, pgStatsStem: string) {
  const stamp = Date.now().toString(36);
  const cluster = await Cluster.create({
    benchmark: 'im',
    gateways: options.gateways,
    apps: options.apps,
    natsUrl: options.natsUrl,
    postgresUrl: options.postgresUrl,
    work,
    nodeFlags: (role, index) => (options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${role}-${index}-${stamp}.cpuprofile`] : []),
    appImports: options.sqlStats ? [join(repoRoot, 'bench/im/pg-stats.ts')] : [],
    env: options.sqlStats ? { POD_BENCH_SQL_STATS: pgStatsStem } : {},
  });
  const info = { gateways: options.gateways, apps: options.apps, natsUrl: options.natsUrl, postgresUrl: options.postgresUrl, name: cluster.name, processes: [] as string[] };
  result.distributed = { server: '', cluster: info };
  log(`distributed: schema and NATS prefix ${cluster.name}, ${options.gateways} gateways, ${options.apps} app servers`);
  let t = performance.now();
  await createUsers(cluster.databaseUrl('setup'), options.users, (done) => process.stdout.write(`\r  created ${done}/${options.users} users offline in PostgreSQL`));
  const createUsersMs = performance.now() - t;
  log(` (${seconds(createUsersMs)})`);
  await cluster.start();
  result.distributed.server = cluster.gateways[0]!.how;
  for (const [kind, list] of [['gateway', cluster.gateways], ['apps', cluster.appServers]] as const)
    list.forEach((p, i) => info.processes.push(`${kind} ${i}: pid ${p.pid}, ${p.url}`));
  log(info.processes.map((line) => `  ${line}`).join('\n'));
  t = performance.now();
  const users = await loginAll(cluster.urls[0]!, options.users, (done) => process.stdout.write(`\r  signed in ${done}/${options.users} users over HTTP`));
  const loginMs = performance.now() - t;
  log(` (${seconds(loginMs)})`);
  t = performance.now();
  const extra: Array<[number, number]> = [];
  for (let i = 2; i < Math.min(options.users, 2 + SYNC_SENDERS); i++) extra.push([i, 0]);
  await pairUsers(cluster.urls[0]!, users, extra);
  const pairMs = performance.now() - t;
  Object.assign(info, { setup: { createUsersMs, loginMs, pairMs } });
  log(`  paired (${seconds(pairMs)})`);
  // Round robin: user i on gateway i mod G, so the two ends of a pair (i, i+1) are on different gateways.
  const urls = cluster.urls;
  const spread: UserSpec[] = specs(users, true).map((u, i) => ({ ...u, url: urls[i % urls.length] }));
  return { cluster, users, specs: spread };
}

function openFilesLimit(): number | null {
  try {
    const match = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** `count` tokens taken round-robin from `tokens` (several connections per user when count > users). */
function spread(tokens: string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => tokens[i % tokens.length]!);
}
