/** The report: ratios to the baseline and to the issue's reference figures, a table on stdout, JSON on disk. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare, renderComparison, type Comparison, type PgStatsProcess } from './compare.ts';
import type { SyncReply } from './ipc.ts';
import type { IdleResult, StepResult, ThroughputResult } from './phases.ts';
import { repoRoot } from './processes.ts';

/** Issue 3's figures for this machine and workload shape. */
export const REFERENCE = {
  ejabberd: { msgPerSec: 12_500, kibPerConn: 318 },
  prosody: { msgPerSec: 1_750, kibPerConn: 37 },
  bareRouter: { msgPerSec: 35_000, kibPerConn: 6.9 },
  target: { msgPerSec: 25_000, p99MsAtHalf: 50, kibPerConn: 10 },
} as const;

export interface SystemResult {
  server: string;
  throughput?: ThroughputResult;
  sync?: SyncReply & { serverCpu: number; generatorCpu: number };
  idle?: IdleResult;
  serverWarnings?: number;
  sqlStats?: SqlStats & { processes?: PgStatsProcess[] };
}

export interface SqlStats {
  seconds: number;
  messages: number;
  statementsPerMessage: number;
  msPerMessage: number;
  commits: number;
  messagesPerCommit: number;
  statements: Array<{ sql: string; count: number; ms: number; perMessage: number; usEach: number }>;
}

/** The counters of the measured steps (the second snapshot), per message sent. */
export function readSqlStats(file: string): SqlStats | undefined {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').trim().split('\n');
  } catch {
    return undefined;
  }
  const snapshot = lines[1] ? (JSON.parse(lines[1]) as { seconds: number; statements: Array<{ sql: string; count: number; ms: number }> }) : undefined;
  if (!snapshot) return undefined;
  // The hot path writes messages with plain SQL text (store/hot-sql.ts), Kysely with quoted names.
  const messages = snapshot.statements.find((s) => /^insert into "?im_messages"?/.test(s.sql))?.count ?? 0;
  const commits = snapshot.statements.find((s) => s.sql === 'commit')?.count ?? 0;
  const total = snapshot.statements.reduce((a, s) => ({ count: a.count + s.count, ms: a.ms + s.ms }), { count: 0, ms: 0 });
  return {
    seconds: snapshot.seconds,
    messages,
    statementsPerMessage: messages ? total.count / messages : 0,
    msPerMessage: messages ? total.ms / messages : 0,
    commits,
    messagesPerCommit: commits ? messages / commits : 0,
    statements: snapshot.statements.map((s) => ({ ...s, perMessage: messages ? s.count / messages : 0, usEach: (s.ms / s.count) * 1000 })),
  };
}

export function renderSqlStats(stats: (SqlStats & { processes?: PgStatsProcess[] }) | undefined, engine = 'SQLite'): string {
  if (!stats) return '  (no SQL counters)';
  const busy = (stats.processes ?? []).map((p) => `pid ${p.pid}: ${p.transactions.count} transactions, open ${((p.transactions.ms / 1000 / p.seconds) * 100).toFixed(0)}% of the time, ${(p.transactions.ms / Math.max(1, p.transactions.count)).toFixed(1)} ms each (max ${p.transactions.maxMs.toFixed(0)})`);
  const rows = stats.statements.slice(0, 15).map((s) => [s.sql.length > 90 ? `${s.sql.slice(0, 87)}...` : s.sql, String(s.count), s.perMessage.toFixed(2), s.usEach.toFixed(1), s.ms.toFixed(0)]);
  return [
    `SQL during the measured steps: ${stats.messages} messages in ${stats.seconds.toFixed(1)} s, ${stats.statementsPerMessage.toFixed(1)} statements and ${(stats.msPerMessage * 1000).toFixed(0)} µs of ${engine} per message, ${stats.commits} commits (${stats.messagesPerCommit.toFixed(1)} messages each)`,
    ...busy.map((line) => `  ${line}`),
    table(['statement', 'count', 'per msg', 'µs each', 'total ms'], rows),
  ].join('\n');
}

export interface BenchResult {
  benchmark: 'im';
  startedAt: string;
  finishedAt?: string;
  machine: { cpus: number; node: string; loadAverage: number[] };
  options: Record<string, unknown>;
  pairing?: 'buddies' | 'anyone';
  setup?: { createUsersMs: number; loginMs: number; pairMs: number };
  pod: SystemResult;
  baseline?: SystemResult;
  /** --profile distributed: gateways and app servers as separate processes on PostgreSQL and NATS. */
  distributed?: SystemResult & { pgWaits?: { polls: number; intervalMs: number; samples: Record<string, number>; deadlocks: number }; cluster: { gateways: number; apps: number; natsUrl: string; postgresUrl: string; name: string; processes: string[]; setup?: { createUsersMs: number; loginMs: number; pairMs: number } } };
  summary?: Summary;
}

export interface Summary {
  pod: { saturationMsgPerSec: number | null; sustainedMsgPerSec: number | null; saturated: boolean; p99AtHalfSaturationMs: number | null; halfSaturationStepRate: number | null; p99At12500Ms: number | null; idleKiBPerConn: number | null };
  baseline: { saturationMsgPerSec: number | null; sustainedMsgPerSec: number | null; saturated: boolean; idleKiBPerConn: number | null };
  ratios: Record<string, number | null>;
  comparison?: Comparison;
}

/** The most delivered per second in any step (medians of per-second counts). */
export function saturation(steps: StepResult[] | undefined): number | null {
  if (!steps?.length) return null;
  return Math.max(...steps.map((s) => s.deliveredPerSec));
}

/** The highest offered rate of a step that kept up (delivered >= 95%, p99 <= 1 s). */
function sustained(steps: StepResult[] | undefined): number | null {
  const ok = (steps ?? []).filter((s) => s.verdict === 'ok');
  return ok.length ? Math.max(...ok.map((s) => s.offeredPerSec)) : null;
}

const saturatedRun = (steps: StepResult[] | undefined) => (steps ?? []).some((s) => s.verdict === 'saturated');

/** p99 of the highest step whose offered rate is at most `rate` (if any step got that far). */
function p99AtOrBelow(steps: StepResult[] | undefined, rate: number): { p99: number | null; rate: number | null } {
  const below = (steps ?? []).filter((s) => s.offeredPerSec <= rate * 1.05 && s.verdict === 'ok');
  const step = below.at(-1);
  return step ? { p99: step.latencyMs.p99, rate: Math.round(step.offeredPerSec) } : { p99: null, rate: null };
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b ? a / b : null);

export function summarize(result: BenchResult): Summary {
  const podSat = saturation(result.pod.throughput?.steps);
  const baseSat = saturation(result.baseline?.throughput?.steps);
  const half = podSat ? p99AtOrBelow(result.pod.throughput?.steps, podSat / 2) : { p99: null, rate: null };
  const reached12500 = (result.pod.throughput?.steps ?? []).some((s) => s.offeredPerSec >= 12_500 * 0.95);
  const podKiB = result.pod.idle?.perConnectionKiB ?? null;
  const baseKiB = result.baseline?.idle?.perConnectionKiB ?? null;
  return {
    pod: {
      saturationMsgPerSec: podSat,
      sustainedMsgPerSec: sustained(result.pod.throughput?.steps),
      saturated: saturatedRun(result.pod.throughput?.steps),
      p99AtHalfSaturationMs: half.p99, halfSaturationStepRate: half.rate, p99At12500Ms: reached12500 ? p99AtOrBelow(result.pod.throughput?.steps, 12_500).p99 : null, idleKiBPerConn: podKiB },
    baseline: { saturationMsgPerSec: baseSat, sustainedMsgPerSec: sustained(result.baseline?.throughput?.steps), saturated: saturatedRun(result.baseline?.throughput?.steps), idleKiBPerConn: baseKiB },
    ratios: {
      'throughput pod/baseline (same run)': ratio(podSat, baseSat),
      'throughput pod/ejabberd 12,500': ratio(podSat, REFERENCE.ejabberd.msgPerSec),
      'throughput pod/prosody 1,750': ratio(podSat, REFERENCE.prosody.msgPerSec),
      'throughput pod/bare router 35,000': ratio(podSat, REFERENCE.bareRouter.msgPerSec),
      'throughput pod/target 25,000': ratio(podSat, REFERENCE.target.msgPerSec),
      'throughput baseline (this run)/bare router 35,000': ratio(baseSat, REFERENCE.bareRouter.msgPerSec),
      'idle KiB/conn pod/baseline (same run)': ratio(podKiB, baseKiB),
      'idle KiB/conn pod/ejabberd 318': ratio(podKiB, REFERENCE.ejabberd.kibPerConn),
      'idle KiB/conn pod/prosody 37': ratio(podKiB, REFERENCE.prosody.kibPerConn),
      'idle KiB/conn pod/bare router 6.9': ratio(podKiB, REFERENCE.bareRouter.kibPerConn),
      'idle KiB/conn pod/target 10': ratio(podKiB, REFERENCE.target.kibPerConn),
      'idle KiB/conn baseline (this run)/bare router 6.9': ratio(baseKiB, REFERENCE.bareRouter.kibPerConn),
    },
    comparison: result.distributed?.throughput ? compare(result.pod.throughput?.steps ?? [], result.distributed.throughput.steps, result.machine.cpus) : undefined,
  };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const fmt = (v: number | null | undefined, digits = 0) => (v == null ? '-' : v.toFixed(digits));
const fmtMs = (v: number | null | undefined) => (v == null ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(0));

function stepRows(label: string, steps: StepResult[]): string[][] {
  return steps.map((s) => [
    `${label} ${s.step}`,
    fmt(s.targetRate),
    fmt(s.offeredPerSec),
    fmt(s.deliveredPerSec),
    String(s.lost),
    String(s.duplicates),
    String(Object.values(s.errors).reduce((a, b) => a + b, 0)),
    fmtMs(s.latencyMs.p50),
    fmtMs(s.latencyMs.p99),
    fmtMs(s.latencyMs.max),
    fmt(s.serverCpu),
    fmt(s.generatorCpu),
    fmt(s.otherCpu),
    s.verdict === 'ok' ? '' : s.verdict,
  ]);
}

export function render(result: BenchResult): string {
  const out: string[] = [];
  const podLabel = result.distributed ? 'embedded' : 'pod';
  const steps = [
    ...stepRows(podLabel, result.pod.throughput?.steps ?? []),
    ...stepRows('distributed', result.distributed?.throughput?.steps ?? []),
    ...stepRows('baseline', result.baseline?.throughput?.steps ?? []),
  ];
  if (steps.length) {
    out.push(`Throughput (per-second medians over each step; latency send -> ev, ms; CPU in % of one core, generators summed, other = the rest of the machine${result.distributed ? "; the distributed server's CPU is its processes, PostgreSQL and nats-server together" : ''})`);
    out.push(table(['step', 'target/s', 'offered/s', 'delivered/s', 'lost', 'dup', 'err', 'p50', 'p99', 'max', 'srv CPU%', 'gen CPU%', 'other CPU%', ''], steps));
    if (result.pod.throughput) out.push(`${podLabel} stopped: ${result.pod.throughput.stoppedBecause}`);
    if (result.distributed?.throughput) out.push(`distributed stopped: ${result.distributed.throughput.stoppedBecause}`);
    if (result.baseline?.throughput) out.push(`baseline stopped: ${result.baseline.throughput.stoppedBecause}`);
  }
  const syncs = [
    [podLabel, result.pod.sync],
    ['distributed', result.distributed?.sync],
  ].filter((e): e is [string, NonNullable<SystemResult['sync']>] => e[1] !== undefined);
  if (syncs.length) {
    out.push('', `Offline recipient, then sync`);
    out.push(
      table(
        ['server', 'messages', 'stored in', 'to synced', 'to all', 'events/s', 'received', 'dup', 'missing', 'out of order'],
        syncs.map(([name, sync]) => [name, String(sync.messages), `${fmt(sync.sendMs)} ms`, `${fmt(sync.msToSynced)} ms`, `${fmt(sync.msToAll)} ms`, fmt(sync.eventsPerSecond), String(sync.distinct), String(sync.duplicates), String(sync.missing), String(sync.outOfOrder)]),
      ),
    );
  }
  const idles = [
    ['pod', result.pod.idle],
    ['baseline', result.baseline?.idle],
  ].filter((e): e is [string, IdleResult] => e[1] !== undefined);
  if (idles.length) {
    out.push('', 'Idle connections (server RSS)');
    out.push(
      table(
        ['server', 'connections', 'RSS before MiB', 'RSS after MiB', 'KiB/conn', 'marginal KiB/conn'],
        idles.map(([name, idle]) => [name, `${idle.open}/${idle.connections}`, fmt(idle.rssBeforeKiB / 1024, 1), fmt(idle.rssAfterKiB / 1024, 1), fmt(idle.perConnectionKiB, 2), fmt(idle.marginalKiB, 2)]),
      ),
    );
  }
  const summary = result.summary;
  if (summary) {
    out.push('', 'Summary');
    const sat = (x: Summary['pod'] | Summary['baseline']) =>
      `${fmt(x.saturationMsgPerSec)} msg/s delivered at most${x.saturated ? '' : ' (NOT saturated: raise --max-rate/--max-steps)'}, kept up with ${fmt(x.sustainedMsgPerSec)}/s offered`;
    if (summary.pod.saturationMsgPerSec !== null) out.push(`  ${`${podLabel}:`.padEnd(10)}${sat(summary.pod)}`);
    if (summary.baseline.saturationMsgPerSec !== null) out.push(`  baseline: ${sat(summary.baseline)}`);
    const all = [...(result.pod.throughput?.steps ?? []), ...(result.distributed?.throughput?.steps ?? []), ...(result.baseline?.throughput?.steps ?? [])];
    const busy = all.filter((st) => st.otherCpu > 25);
    if (busy.length)
      out.push(`  warning: other processes used > 25% CPU during ${busy.length} of ${all.length} steps (up to ${fmt(Math.max(...busy.map((st) => st.otherCpu)))}%): figures from a busy machine; run again when it is quiet`);
    const last = result.baseline?.throughput?.steps.at(-1);
    if (last && summary.baseline.saturated && last.generatorCpu >= 0.8 * last.serverCpu)
      out.push(`  note: at the baseline's last step the generators used ${fmt(last.generatorCpu)}% CPU next to the router's ${fmt(last.serverCpu)}%: on a 2-core machine its ceiling is the machine's, shared by both`);
    if (summary.pod.saturationMsgPerSec !== null) out.push(`  pod p99 at half its saturation (step at ${fmt(summary.pod.halfSaturationStepRate)}/s): ${fmtMs(summary.pod.p99AtHalfSaturationMs)} ms; at 12,500/s: ${fmtMs(summary.pod.p99At12500Ms)} ms (target < 50 ms)`);
    const ratios = Object.entries(summary.ratios).filter(([, v]) => v !== null);
    if (ratios.length) out.push(table(['ratio', 'value'], ratios.map(([k, v]) => [k, v! >= 10 ? v!.toFixed(1) : v!.toFixed(3)])));
    if (summary.comparison && result.distributed) out.push('', renderComparison(summary.comparison, result.distributed.cluster.gateways, result.distributed.cluster.apps));
  }
  return out.join('\n');
}

export function writeJson(result: BenchResult, file?: string): string {
  const dir = join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const path = file ?? join(dir, `im-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
