/**
 * `npm run bench -- rooms`: a 1,000-member room with 200 members connected, messages sent at
 * stepped rates, each step followed by the same step against a bare router (the machine's
 * limit for the same fan-out, measured in the same run because only ratios hold on a shared
 * machine); an offline member catching up on 10,000 messages; search over a million stored
 * messages. In the embedded profile, the distributed one, or both. A table on stdout, JSON
 * under bench/results/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installCleanup, killAll, runCleanups, startBaseline, type ServerProcess } from '../im/processes.ts';
import { catchUp } from './catchup.ts';
import { Listeners, step, type FanOutTarget } from './fanout.ts';
import { startProfile, type Profile, type RunningPod } from './profiles.ts';
import { pair, render, writeJson, type ProfileResult, type RoomsResult, type StepPair } from './report.ts';
import { timeSearches } from './search.ts';
import { ENGINE_FLAGS, parseFlags, PROCESS_FLAGS } from '../flags.ts';

const HELP = `npm run bench -- rooms [flags]
  --members N          members of the big room (default 1000)
  --connected N        of them connected over WebSockets (default 200)
  --rates LIST         offered sends per second, one step each (default 10,25,50,100)
  --step SECONDS       length of each step (default 10)
  --catchup N          messages an offline member catches up on (default 10000)
  --search-messages N  stored messages searched (default 1000000)
  --searches N         searches timed (default 200)
  --profile P          embedded (default: SQLite, in-process messenger, one process) |
                       distributed (gateway and app-server processes on a fresh PostgreSQL schema
                       and NATS prefix, both removed at the end; members connect and send to the
                       gateways round robin) | both (embedded, then distributed)
  --gateways G         gateway processes of the distributed profile (default 2)
  --apps A             app-server processes of the distributed profile (default 2)
  --nats-url U         NATS with JetStream (default nats://127.0.0.1:4222)
  --postgres-url U     PostgreSQL database; the run creates and drops a schema in it
                       (default postgres://postgres@127.0.0.1:5432/postgres)
  --skip-baseline      no baseline (bench/im/baseline-router.ts: stores each message once in
                       SQLite, then sends it to every connected socket; after each of the pod's
                       steps, the same step against it, with the same clients and clock)
  --keep-data          keep the temporary directory (SQLite, logs)
  --out FILE           JSON there instead of bench/results/rooms-<time>.json`;

/** Senders of the fan-out steps: members of the big room that are not connected. */
const SENDERS = 4;

function flags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      members: { type: 'string', default: '1000' },
      connected: { type: 'string', default: '200' },
      rates: { type: 'string', default: '10,25,50,100' },
      step: { type: 'string', default: '10' },
      catchup: { type: 'string', default: '10000' },
      'search-messages': { type: 'string', default: '1000000' },
      searches: { type: 'string', default: '200' },
      ...ENGINE_FLAGS,
      ...PROCESS_FLAGS,
      'skip-baseline': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const whole = (name: string, value: string | undefined, min: number, max: number): number => {
    const v = Number(value);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
    return v;
  };
  const profile = values.profile!;
  if (profile !== 'embedded' && profile !== 'distributed' && profile !== 'both') throw new Error('--profile is embedded, distributed or both');
  if (!/^postgres(ql)?:\/\//.test(values['postgres-url']!) || new URL(values['postgres-url']!).searchParams.has('schema')) throw new Error('--postgres-url is postgres://user@host:port/database, without a schema');
  const connected = whole('connected', values.connected, 1, 10_000);
  return {
    help: values.help!,
    members: whole('members', values.members, connected + 1 + SENDERS, 100_000),
    connected,
    rates: values.rates!.split(',').map((rate) => whole('rates', rate, 1, 10_000)),
    step: whole('step', values.step, 1, 600),
    catchup: whole('catchup', values.catchup, 1, 1_000_000),
    searchMessages: whole('search-messages', values['search-messages'], 0, 100_000_000),
    searches: whole('searches', values.searches, 1, 100_000),
    profiles: (profile === 'both' ? ['embedded', 'distributed'] : [profile]) as Profile[],
    gateways: whole('gateways', values.gateways, 1, 16),
    apps: whole('apps', values.apps, 1, 16),
    natsUrl: values['nats-url']!,
    postgresUrl: values['postgres-url']!,
    baseline: !values['skip-baseline'],
    keepData: values['keep-data']!,
    out: values.out,
  };
}

type Options = ReturnType<typeof flags>;
const log = (text: string) => process.stderr.write(`${text}\n`);

export async function run(argv: string[]): Promise<number> {
  const options = parseFlags(flags, argv, HELP);
  if (typeof options === 'number') return options;
  installCleanup();
  const work = mkdtempSync(join(tmpdir(), 'pod-bench-rooms-'));
  const result: RoomsResult = {
    benchmark: 'rooms',
    at: new Date().toISOString(),
    machine: { cpus: availableParallelism(), node: process.version, loadAverage: loadavg() },
    options: { ...options, work },
    baseline: 'skipped (--skip-baseline)',
    profiles: [],
  };
  log(`rooms benchmark: ${options.members} members, ${options.connected} connected, ${options.profiles.join(' then ')}; work dir ${work}`);
  try {
    let base: ServerProcess | undefined;
    if (options.baseline) {
      const dataDir = join(work, 'baseline');
      mkdirSync(dataDir);
      base = await startBaseline({ dataDir, logFile: join(work, 'baseline.log'), nodeFlags: [] });
      result.baseline = base.how;
      log(`baseline router listening on ${base.url}, pid ${base.pid}`);
    }
    for (const profile of options.profiles) {
      const pod = await startProfile(profile, options, work, log);
      try {
        result.profiles.push(await measure(pod, base, options));
      } finally {
        await pod.stop();
      }
    }
    await base?.stop();
    console.log(render(result));
    log(`JSON: ${writeJson(result, options.out)}`);
    return 0;
  } catch (error) {
    console.error(`\nrooms benchmark failed: ${(error as Error).stack ?? error}`);
    console.error(`logs are in ${work}`);
    options.keepData = true;
    return 1;
  } finally {
    await killAll();
    await runCleanups();
    if (!options.keepData) rmSync(work, { recursive: true, force: true });
  }
}

/** The fan-out steps (each against the pod, then the baseline), the catch-up and the searches. */
async function measure(pod: RunningPod, base: ServerProcess | undefined, options: Options): Promise<ProfileResult> {
  const { members } = pod.seeded;
  const connected = members.slice(1, 1 + options.connected);
  const senders = members.slice(1 + options.connected, 1 + options.connected + SENDERS);
  const podTarget: FanOutTarget = { urls: pod.urls, senders: senders.map((m) => m.token) };
  // The baseline takes a token as the user's name.
  const baseTarget: FanOutTarget | undefined = base && { urls: [base.url], senders: senders.map((m) => m.name) };
  const podListeners = await Listeners.connect(pod.urls, connected.map((m) => m.token));
  const baseListeners = baseTarget && (await Listeners.connect(baseTarget.urls, connected.map((m) => m.name)));
  log(`  ${podListeners.count} members connected to the pod${baseListeners ? `, ${baseListeners.count} to the baseline` : ''}`);
  const steps: StepPair[] = [];
  const listening = podListeners.count;
  try {
    for (const rate of options.rates) {
      const podStep = await step(podTarget, 'bench', rate, options.step, podListeners);
      const baseStep = baseTarget && baseListeners && (await step(baseTarget, 'bench', rate, options.step, baseListeners));
      steps.push(pair(rate, podStep, baseStep));
      const figures = (s: typeof podStep) => `${s.acceptedPerSecond}/s accepted, ${s.deliveriesPerSecond} deliveries/s, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms`;
      log(`  ${rate}/s offered: pod ${figures(podStep)}${baseStep ? `; baseline ${figures(baseStep)}` : ''}`);
    }
  } finally {
    podListeners.close();
    baseListeners?.close();
  }
  const catchup = await catchUp(pod.urls[0]!, pod.seeded, options.catchup);
  log(`  offline member caught up on ${catchup.messages} messages in ${catchup.seconds} s (stored at ${catchup.sendRate}/s)`);
  const search = await timeSearches(pod.urls[0]!, pod.seeded, options.searchMessages, options.searches);
  log(`  search over ${search.storedMessages} messages: p50 ${search.p50Ms} ms, p99 ${search.p99Ms} ms`);
  return { profile: pod.profile, processes: pod.how, connected: listening, steps, catchup, search };
}
