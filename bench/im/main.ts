/**
 * `npm run bench -- im [flags]`: Pod's instant messages under load, against a bare router
 * baseline in the same run. See --help.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runIdle, runSync, stepUp, ThroughputRun, type ThroughputOptions } from './phases.ts';
import { countLines, installCleanup, killAll, repoRoot, sleep, startBaseline, startPodServer, type ServerProcess } from './processes.ts';
import { readSqlStats, render, renderSqlStats, summarize, writeJson, type BenchResult } from './report.ts';
import { createUsers, loginAll, pairUsers, specs, userName, type BenchUser } from './users.ts';

const HELP = `npm run bench -- im [flags]

Throughput (default): N users, one connection each, paired as buddies, send 1:1 messages at an
offered rate stepped up until delivered < 95% of offered or p99 > 1 s; then an offline recipient
syncs K stored messages. The same steps run against a bare ws router (bench/im/baseline-router.ts).
Idle (--idle): M idle authenticated connections, server RSS per connection, Pod and baseline.

  --users N            connected users (default 1000)
  --rate R             first offered rate, messages/s over all senders (default 1000)
  --factor F           rate multiplier per step (default 1.5)
  --max-rate R         stop before a step above this rate (default 60000)
  --max-steps N        at most this many steps (default 20)
  --step-seconds S     send window of each step (default 5)
  --drain-seconds S    after a step, wait at most this long for messages in flight (default 10)
  --warmup-seconds S   unreported warm-up at the first rate (default 3)
  --no-confirm         stop at the first failing step (default: run it again once; noise is common)
  --quiet-wait S       before each step, wait up to S s for other processes to use < 30% CPU (default 15)
  --offline-messages K messages stored for the offline recipient (default 10000; 0 skips)
  --text-bytes B       message text length (default 100)
  --generators G       load-generator processes (default 2)
  --idle               run the idle-connection mode instead of throughput
  --all                run throughput, sync and idle
  --connections M      idle connections (default 10000)
  --skip-baseline      Pod only
  --skip-pod           baseline only
  --server-entry E     auto | cli | script: how to start Pod (default auto: the CLI if it exists)
  --cpu-prof           profile the server processes (.cpuprofile under bench/results/prof/)
  --sql-stats          count and time Pod's SQL statements during the steps (starts Pod with startPod)
  --keep-data          keep the temporary data directory
  --out FILE           write the JSON there instead of bench/results/im-<time>.json`;

function flags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '1000' },
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
      'keep-data': { type: 'boolean', default: false },
      out: { type: 'string' },
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
  return {
    help: values.help!,
    users: Math.floor(num('users', 2, 100_000)),
    throughput: {
      generators: Math.floor(num('generators', 1, 16)),
      rate: num('rate', 1, 1e6),
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
    keepData: values['keep-data']!,
    out: values.out,
  };
}

const SYNC_SENDERS = 8;
const log = (line: string) => console.log(line);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function run(argv: string[]): Promise<number> {
  let options: ReturnType<typeof flags>;
  try {
    options = flags(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    console.log(HELP);
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

    if (options.throughputMode) {
      const base = options.baseline ? await startBase('throughput') : undefined;
      const runs: ThroughputRun[] = [];
      try {
        if (pod) runs.push(await ThroughputRun.open('pod', pod, specs(podUsers, true), options.throughput, log));
        if (base) runs.push(await ThroughputRun.open('baseline', base, specs(names, false), options.throughput, log));
        log(`throughput: steps from ${options.throughput.rate}/s, x${options.throughput.factor}, ${options.throughput.stepSeconds} s each${runs.length > 1 ? ', pod and baseline alternating' : ''}`);
        // With --sql-stats, Pod snapshots its counters when measuring starts (after warm-up) and ends.
        const snapshot = () => pod && options.sqlStats && process.kill(pod.pid, 'SIGUSR1');
        await stepUp(runs, options.throughput, log, snapshot);
        if (pod && options.sqlStats) {
          await sleep(500);
          result.pod.sqlStats = readSqlStats(sqlStatsFile);
          log(renderSqlStats(result.pod.sqlStats));
        }
      } finally {
        for (const run of runs) await run.close();
      }
      for (const run of runs) (run.label === 'pod' ? result.pod : result.baseline!).throughput = run.result();
      await base?.stop();
      if (pod && options.offlineMessages > 0) {
        const all = specs(podUsers, true);
        const senders = all.slice(2, 2 + SYNC_SENDERS);
        if (senders.length === 0) senders.push(all[1]!);
        log(`pod: offline recipient ${all[0]!.name}, ${options.offlineMessages} messages from ${senders.length} buddies, then sync`);
        result.pod.sync = await runSync(pod, all[0]!, senders, options.offlineMessages, options.throughput.textBytes);
        const s = result.pod.sync;
        log(`  stored in ${seconds(s.sendMs)}; synced ${s.distinct}/${s.messages} in ${s.msToAll === null ? '-' : seconds(s.msToAll)} (${Math.round(s.eventsPerSecond ?? 0)} events/s), dup ${s.duplicates}, out of order ${s.outOfOrder}`);
      }
    }

    if (options.idle) {
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
    if (!options.keepData) rmSync(work, { recursive: true, force: true });
  }
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
