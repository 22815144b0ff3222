/**
 * The benchmark's phases, driven from the parent against one server process: throughput steps
 * until saturation, the offline recipient's sync, and idle connections' memory.
 */
import { GroupSampler, medianOfSum, treeGroup, type CpuGroup } from './cpu.ts';
import { Generator } from './generators.ts';
import type { ConnectReply, StepReply, SyncReply, UserSpec } from './ipc.ts';
import { rssKiB, sleep, waitForQuiet, type ServerProcess } from './processes.ts';
import { addCounts, addSeries, median, mergeHistograms, summarize, sum, type LatencySummary } from './stats.ts';

export interface ThroughputOptions {
  generators: number;
  rate: number;
  factor: number;
  maxRate: number;
  maxSteps: number;
  stepSeconds: number;
  drainSeconds: number;
  textBytes: number;
  /** Seconds sent at the first rate before the first step, not reported (JIT, first WAL writes). */
  warmupSeconds: number;
  /** Run a failing step once more before calling it saturation. */
  confirm: boolean;
  /** Before a step, wait at most this long for the rest of the machine to go quiet. */
  quietWaitSeconds: number;
}

/**
 * What a throughput run drives: a server process, or a cluster (its users carry their own
 * gateway's url; `cpuGroups` are its parts, whose CPU together is the server's).
 */
export interface LoadTarget {
  url: string;
  pid: number;
  cpuGroups?: CpuGroup[];
}

export interface StepResult {
  step: number;
  targetRate: number;
  /** Medians of the per-second counts in the send window. */
  offeredPerSec: number;
  deliveredPerSec: number;
  /** Whole-window means. */
  offeredMean: number;
  deliveredMean: number;
  sent: number;
  delivered: number;
  lost: number;
  duplicates: number;
  late: number;
  errors: Record<string, number>;
  seqGaps: number;
  seqRepeats: number;
  latencyMs: LatencySummary;
  /** % of one core: median of per-second samples, and the mean over the window. */
  serverCpu: number;
  serverCpuMean: number;
  generatorCpu: number;
  /** The busiest generator process (near 100% = the generator limits). */
  generatorCpuMaxProcess: number;
  /** What the rest of the machine used meanwhile (other people's processes on a shared machine). */
  otherCpu: number;
  /** CPU seconds in the send window by part of the server (one 'server' part for a single process), and of the generators and the rest of the machine. */
  cpuSeconds: Record<string, number>;
  windowSeconds: number;
  /** Messages received during the send window (what that CPU time delivered). */
  deliveredInWindow: number;
  /** How long the step waited for the rest of the machine to go quiet first. */
  waitedForQuietMs: number;
  generatorLagMs: number;
  drainMs: number;
  closedSockets: number;
  /** 'noise': failed, then passed when run again at the same rate. */
  verdict: 'ok' | 'saturated' | 'generator-limited' | 'noise';
  reason?: string;
}

export interface ThroughputResult {
  connect: { open: number; failed: number; ms: number; firstError?: string };
  steps: StepResult[];
  stoppedBecause: string;
}

/**
 * Throughput against one server: its own generator processes, connected once, then driven one
 * step at a time, so that Pod's and the baseline's steps can alternate and share the machine's
 * noise (other processes on a shared machine) evenly.
 */
export class ThroughputRun {
  readonly steps: StepResult[] = [];
  done = false;
  stoppedBecause = '';

  private constructor(
    readonly label: string,
    private readonly server: LoadTarget,
    private readonly generators: Generator[],
    private readonly groups: UserSpec[][],
    readonly connect: ThroughputResult['connect'],
    private readonly options: ThroughputOptions,
  ) {}

  static async open(label: string, server: LoadTarget, users: UserSpec[], options: ThroughputOptions, print: (line: string) => void): Promise<ThroughputRun> {
    const count = Math.max(1, Math.min(options.generators, Math.ceil(users.length / 2)));
    const groups: UserSpec[][] = Array.from({ length: count }, () => []);
    // Both ends of a pair go to the same generator: pair p (users 2p, 2p+1) to generator p mod count.
    users.forEach((u, i) => groups[Math.floor(i / 2) % count]!.push(u));
    const generators = groups.map(() => Generator.start());
    try {
      const replies = await Promise.all(generators.map((g, i) => g.request<ConnectReply>({ cmd: 'connect', url: server.url, users: groups[i]!, concurrency: 50 })));
      const connect = { open: sum(replies.map((r) => r.open)), failed: sum(replies.map((r) => r.failed)), ms: Math.max(...replies.map((r) => r.ms)), firstError: replies.find((r) => r.firstError)?.firstError };
      print(`  ${label}: ${connect.open} connections open (${connect.failed} failed) in ${(connect.ms / 1000).toFixed(1)} s${connect.firstError ? `; first error: ${connect.firstError}` : ''}`);
      if (connect.open === 0) throw new Error(`${label}: no connection opened: ${connect.firstError}`);
      return new ThroughputRun(label, server, generators, groups, connect, options);
    } catch (error) {
      await Promise.all(generators.map((g) => g.stop()));
      throw error;
    }
  }

  async warmup(print: (line: string) => void): Promise<void> {
    const { rate, warmupSeconds } = this.options;
    if (warmupSeconds <= 0) return;
    const warm = await runStep(this.server, this.generators, this.groups, -1, rate, { ...this.options, stepSeconds: warmupSeconds });
    print(`  ${this.label} warm-up ${warmupSeconds} s at ${Math.round(rate)}/s: delivered ${warm.delivered}/${warm.sent}, p99 ${warm.latencyMs.p99?.toFixed(1) ?? '-'} ms (not reported)`);
  }

  /**
   * One step at `rate`. A step that fails is run once more at the same rate: on a shared
   * machine one disk stall or a burst of someone else's work can sink a single step. Only
   * two failures in a row stop the run (up to BUSY_RETRIES more while the rest of the machine
   * is busy); a failure followed by a pass is kept as 'noise'.
   */
  async step(rate: number, print: (line: string) => void): Promise<StepResult> {
    let result = await this.once(rate, print);
    for (let runs = 1; result.verdict !== 'ok' && this.options.confirm; runs++) {
      const busy = result.otherCpu > BUSY_OTHER_PCT;
      if (runs > 1 && !(busy && runs <= 1 + BUSY_RETRIES)) break;
      print(`${' '.repeat(9)}confirming at the same rate${runs > 1 ? ` (the rest of the machine used ${result.otherCpu.toFixed(0)}% of a core meanwhile)` : ''}`);
      const again = await this.once(rate, print);
      if (again.verdict === 'ok') result.verdict = 'noise';
      result = again;
    }
    if (result.verdict !== 'ok') {
      this.done = true;
      this.stoppedBecause = `${result.verdict}: ${result.reason}`;
    }
    return result;
  }

  private async once(rate: number, print: (line: string) => void): Promise<StepResult> {
    const result = await runStep(this.server, this.generators, this.groups, this.steps.length, rate, this.options);
    this.steps.push(result);
    print(`${this.label.padEnd(11)} ${stepLine(result)}`);
    return result;
  }

  result(): ThroughputResult {
    return { connect: this.connect, steps: this.steps, stoppedBecause: this.stoppedBecause };
  }

  close(): Promise<void> {
    return Promise.all(this.generators.map((g) => g.stop())).then(() => {});
  }
}

/** A failed confirmation while the rest of the machine used more than this (% of a core) is run again, at most BUSY_RETRIES times. */
const BUSY_OTHER_PCT = 50;
const BUSY_RETRIES = 2;

/** Steps the offered rate up (×factor) for every run, alternating between them, until each saturates. */
export async function stepUp(runs: ThroughputRun[], options: ThroughputOptions, print: (line: string) => void, onMeasured?: (phase: 'start' | 'end') => void): Promise<void> {
  for (const run of runs) await run.warmup(print);
  onMeasured?.('start');
  try {
    await stepLoop(runs, options, print);
  } finally {
    onMeasured?.('end');
  }
}

async function stepLoop(runs: ThroughputRun[], options: ThroughputOptions, print: (line: string) => void): Promise<void> {
  let rate = options.rate;
  for (let index = 0; index < options.maxSteps && runs.some((r) => !r.done); index++) {
    if (rate > options.maxRate) {
      for (const run of runs) if (!run.done) run.stoppedBecause = `the next rate ${Math.round(rate)}/s is above --max-rate ${options.maxRate}`;
      return;
    }
    for (const run of runs) if (!run.done) await run.step(rate, print);
    rate *= options.factor;
  }
  for (const run of runs) if (!run.done) run.stoppedBecause = `reached --max-steps ${options.maxSteps}`;
}

async function runStep(server: LoadTarget, generators: Generator[], groups: UserSpec[][], index: number, rate: number, options: ThroughputOptions): Promise<StepResult> {
  const total = sum(groups.map((g) => g.length));
  const waitedMs = options.quietWaitSeconds > 0 ? await waitForQuiet(options.quietWaitSeconds * 1000) : 0;
  const serverGroups = server.cpuGroups ?? [treeGroup('server', server.pid)];
  const sampler = new GroupSampler([...serverGroups, ...generators.map((g, i) => treeGroup(`generator ${i}`, g.pid))]);
  const sendWindow = sleep(options.stepSeconds * 1000).then(() => sampler.stop());
  const replies = await Promise.all(
    generators.map((g, i) =>
      g.request<StepReply>({ cmd: 'step', index, rate: (rate * groups[i]!.length) / total, seconds: options.stepSeconds, drainMs: options.drainSeconds * 1000, textBytes: options.textBytes }),
    ),
  );
  const cpu = await sendWindow;
  const seconds = options.stepSeconds;
  const sentPerSecond = addSeries(replies.map((r) => r.sentPerSecond));
  const receivedPerSecond = addSeries(replies.map((r) => r.receivedPerSecond));
  const sent = sum(replies.map((r) => r.sent));
  const delivered = sum(replies.map((r) => r.delivered));
  const latency = summarize(mergeHistograms(replies.map((r) => r.latency)));
  const serverSeries = cpu.samples.slice(0, serverGroups.length);
  const generatorSeries = cpu.samples.slice(serverGroups.length, -1);
  const generatorSamples = addSeries(generatorSeries);
  const serverSeconds = sum(serverGroups.map((g) => cpu.cpuSeconds[g.name] ?? 0));
  const result: StepResult = {
    step: index + 1,
    targetRate: Math.round(rate),
    offeredPerSec: median(sentPerSecond),
    deliveredPerSec: median(receivedPerSecond),
    offeredMean: sent / seconds,
    deliveredMean: sum(receivedPerSecond) / seconds,
    sent,
    delivered,
    lost: sent - delivered,
    duplicates: sum(replies.map((r) => r.duplicates)),
    late: sum(replies.map((r) => r.late)),
    errors: addCounts(replies.map((r) => r.errors)),
    seqGaps: sum(replies.map((r) => r.seqGaps)),
    seqRepeats: sum(replies.map((r) => r.seqRepeats)),
    latencyMs: latency,
    serverCpu: medianOfSum(serverSeries),
    serverCpuMean: (serverSeconds / cpu.seconds) * 100,
    generatorCpu: median(generatorSamples),
    generatorCpuMaxProcess: Math.max(...generatorSeries.map((s) => median(s))),
    otherCpu: median(cpu.samples.at(-1)!),
    cpuSeconds: { ...cpu.cpuSeconds, other: cpu.otherSeconds },
    windowSeconds: cpu.seconds,
    deliveredInWindow: sum(receivedPerSecond),
    waitedForQuietMs: Math.round(waitedMs),
    generatorLagMs: Math.max(...replies.map((r) => r.maxLagMs)),
    drainMs: Math.max(...replies.map((r) => r.drainMs)),
    closedSockets: sum(replies.map((r) => r.closedSockets)),
    verdict: 'ok',
  };
  // Decided on the per-second medians: the first second misses one latency's worth of receipts.
  if (result.offeredPerSec < 0.95 * rate && result.deliveredPerSec >= 0.95 * result.offeredPerSec) {
    result.verdict = 'generator-limited';
    result.reason = `the generators offered ${Math.round(result.offeredPerSec)}/s of ${Math.round(rate)}/s (busiest generator process at ${result.generatorCpuMaxProcess.toFixed(0)}% CPU)`;
  } else if (result.deliveredPerSec < 0.95 * result.offeredPerSec) {
    result.verdict = 'saturated';
    result.reason = `delivered ${Math.round(result.deliveredPerSec)}/s < 95% of offered ${Math.round(result.offeredPerSec)}/s`;
  } else if ((latency.p99 ?? 0) > 1000) {
    result.verdict = 'saturated';
    result.reason = `p99 ${Math.round(latency.p99!)} ms > 1 s`;
  } else if (result.lost > 0.05 * sent) {
    result.verdict = 'saturated';
    result.reason = `${result.lost} of ${sent} messages lost`;
  }
  return result;
}

export function stepLine(s: StepResult): string {
  const ms = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(0));
  const errors = Object.entries(s.errors).map(([k, v]) => `${k}:${v}`).join(',') || '0';
  return (
    `step ${String(s.step).padStart(2)}  target ${String(s.targetRate).padStart(6)}/s  offered ${String(Math.round(s.offeredPerSec)).padStart(6)}/s  delivered ${String(Math.round(s.deliveredPerSec)).padStart(6)}/s` +
    `  lost ${s.lost} dup ${s.duplicates} err ${errors}  p50 ${ms(s.latencyMs.p50)} p99 ${ms(s.latencyMs.p99)} max ${ms(s.latencyMs.max)} ms` +
    `  cpu server ${s.serverCpu.toFixed(0)}% gen ${s.generatorCpu.toFixed(0)}% other ${s.otherCpu.toFixed(0)}%${s.verdict === 'ok' ? '' : `  -> ${s.verdict}`}`
  );
}

/** The offline recipient's sync; `serverCpu` is the whole server's (every part of a cluster), in % of one core. */
export async function runSync(server: LoadTarget, target: UserSpec, senders: UserSpec[], messages: number, textBytes: number): Promise<SyncReply & { serverCpu: number; generatorCpu: number }> {
  const generator = Generator.start();
  try {
    const groups = server.cpuGroups ?? [treeGroup('server', server.pid)];
    const sampler = new GroupSampler([...groups, treeGroup('sync generator', generator.pid)]);
    const reply = await generator.request<SyncReply>({ cmd: 'sync', url: server.url, target, senders, messages, window: 32, timeoutMs: 120_000, textBytes });
    const cpu = sampler.stop();
    const pct = (seconds: number) => (seconds / cpu.seconds) * 100;
    return { ...reply, serverCpu: pct(sum(groups.map((g) => cpu.cpuSeconds[g.name] ?? 0))), generatorCpu: pct(cpu.cpuSeconds['sync generator'] ?? 0) };
  } finally {
    await generator.stop();
  }
}

export interface IdleResult {
  connections: number;
  open: number;
  failed: number;
  firstError?: string;
  openMs: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  perConnectionKiB: number;
  /** RSS growth per connection between 10% and 100% of the connections (leaves out one-off warm-up). */
  marginalKiB: number | null;
  samples: Array<{ connections: number; rssKiB: number }>;
}

/** Median of a few RSS readings after the server settles. */
async function settledRss(pid: number, settleMs: number): Promise<number> {
  await sleep(settleMs);
  const readings: number[] = [];
  for (let i = 0; i < 3; i++) {
    readings.push(rssKiB(pid));
    await sleep(500);
  }
  return median(readings);
}

/** Holds `tokens.length` idle authenticated connections, opened in two waves (10%, then the rest). */
export async function runIdle(server: ServerProcess, tokens: string[], generatorCount: number, settleMs: number, print: (line: string) => void): Promise<IdleResult> {
  const before = await settledRss(server.pid, settleMs);
  const generators = Array.from({ length: Math.max(1, generatorCount) }, () => Generator.start());
  try {
    const samples = [{ connections: 0, rssKiB: before }];
    const firstWave = Math.floor(tokens.length / 10);
    const waves = firstWave > 0 ? [tokens.slice(0, firstWave), tokens.slice(firstWave)] : [tokens];
    let open = 0;
    let failed = 0;
    let openMs = 0;
    let firstError: string | undefined;
    for (const wave of waves) {
      const parts = generators.map((_, i) => wave.filter((__, j) => j % generators.length === i));
      const replies = await Promise.all(generators.map((g, i) => g.request<ConnectReply>({ cmd: 'idle', url: server.url, tokens: parts[i]!, concurrency: 100 })));
      failed += sum(replies.map((r) => r.failed));
      openMs += Math.max(...replies.map((r) => r.ms));
      firstError ??= replies.find((r) => r.firstError)?.firstError;
      const cumulative = sum(replies.map((r) => r.open));
      samples.push({ connections: cumulative, rssKiB: await settledRss(server.pid, settleMs) });
      print(`  ${cumulative} idle connections open (${failed} failed): server RSS ${(samples.at(-1)!.rssKiB / 1024).toFixed(1)} MiB`);
      open = cumulative;
    }
    const after = samples.at(-1)!.rssKiB;
    const mid = samples.length > 2 ? samples[1]! : undefined;
    return {
      connections: tokens.length,
      open,
      failed,
      firstError,
      openMs,
      rssBeforeKiB: before,
      rssAfterKiB: after,
      perConnectionKiB: open > 0 ? (after - before) / open : 0,
      marginalKiB: mid && open > mid.connections ? (after - mid.rssKiB) / (open - mid.connections) : null,
      samples,
    };
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
  }
}
