/**
 * The distributed profile beside the embedded one: saturation and its ratio, latency at a
 * rate both kept up with, and where the CPU went at each profile's saturation step, per
 * process and per 1000 messages (a capacity model: CPU-seconds per message per component).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { StepResult } from './phases.ts';
import type { SqlStats } from './report.ts';

/** The issue's aim: on one machine the distributed profile keeps at least this share of the embedded throughput. */
export const DISTRIBUTED_TARGET_RATIO = 0.5;

export interface CpuRow {
  component: string;
  cpuSeconds: number;
  /** Mean % of one core over the send window. */
  pctOfCore: number;
  /** CPU seconds per 1000 messages delivered in the window. */
  perThousand: number;
}

export interface CpuBreakdown {
  step: number;
  targetRate: number;
  deliveredPerSec: number;
  windowSeconds: number;
  messages: number;
  rows: CpuRow[];
  /** Messages per second one core of server CPU delivers (server = every part of Pod, its PostgreSQL and NATS). */
  messagesPerServerCoreSecond: number | null;
  /** Everything the machine did in the window (server, generators, the rest), in % of one core, next to its cores: far below means something other than CPU set the limit. */
  machineBusyPct: number;
  cores: number;
}

export interface LatencyAt {
  targetRate: number;
  embedded: { offeredPerSec: number; p50: number | null; p99: number | null };
  distributed: { offeredPerSec: number; p50: number | null; p99: number | null };
}

export interface Comparison {
  embedded: { saturationMsgPerSec: number | null; sustainedMsgPerSec: number | null; saturated: boolean };
  distributed: { saturationMsgPerSec: number | null; sustainedMsgPerSec: number | null; saturated: boolean };
  /** distributed / embedded. */
  ratio: { saturation: number | null; sustained: number | null };
  meetsTarget: boolean | null;
  /** The highest rate at which both kept up, and the first step's rate. */
  commonRate: LatencyAt | null;
  firstRate: LatencyAt | null;
  cpu: { embedded: CpuBreakdown | null; distributed: CpuBreakdown | null; distributedAtCommonRate: CpuBreakdown | null };
}

const SERVER_PARTS = /^(server|gateway \d+|apps \d+|postgres .*|nats-server)$/;

function saturationStep(steps: StepResult[]): StepResult | undefined {
  return steps.reduce<StepResult | undefined>((best, s) => (!best || s.deliveredPerSec > best.deliveredPerSec ? s : best), undefined);
}

/** CPU by component in one step, with sums for the process kinds. */
export function breakdown(step: StepResult | undefined, cores: number): CpuBreakdown | null {
  if (!step?.cpuSeconds) return null;
  const seconds = step.windowSeconds;
  const messages = step.deliveredInWindow;
  const row = (component: string, cpuSeconds: number): CpuRow => ({ component, cpuSeconds, pctOfCore: (cpuSeconds / seconds) * 100, perThousand: messages ? (cpuSeconds / messages) * 1000 : 0 });
  const entries = Object.entries(step.cpuSeconds);
  const total = (test: (name: string) => boolean) => entries.filter(([n]) => test(n)).reduce((a, [, v]) => a + v, 0);
  const rows: CpuRow[] = [];
  for (const kind of ['gateway', 'apps']) {
    const parts = entries.filter(([n]) => n.startsWith(`${kind} `));
    rows.push(...parts.map(([n, v]) => row(n, v)));
    if (parts.length > 1) rows.push(row(`${kind === 'gateway' ? 'gateways' : 'app servers'} (all ${parts.length})`, total((n) => n.startsWith(`${kind} `))));
  }
  for (const [n, v] of entries) if (n === 'server' || n.startsWith('postgres') || n === 'nats-server') rows.push(row(n === 'server' ? 'pod (one process, SQLite inside)' : n, v));
  const server = total((n) => SERVER_PARTS.test(n));
  rows.push(row('= server total', server));
  rows.push(row('load generators', total((n) => n.startsWith('generator '))));
  rows.push(row('rest of the machine', step.cpuSeconds.other ?? 0));
  return {
    step: step.step,
    targetRate: step.targetRate,
    deliveredPerSec: step.deliveredPerSec,
    windowSeconds: seconds,
    messages,
    rows,
    messagesPerServerCoreSecond: server ? messages / server : null,
    machineBusyPct: (Object.values(step.cpuSeconds).reduce((a, v) => a + v, 0) / seconds) * 100,
    cores,
  };
}

/** Latency of both profiles at one target rate: the highest both kept up with (`keptUp`), or the first step whatever its verdict. */
function latencyAt(embedded: StepResult[], distributed: StepResult[], keptUp: boolean): LatencyAt | null {
  const okRates = (steps: StepResult[]) => new Set(steps.filter((s) => !keptUp || s.verdict === 'ok' || s.verdict === 'noise').map((s) => s.targetRate));
  const a = okRates(embedded);
  const both = [...okRates(distributed)].filter((r) => a.has(r)).sort((x, y) => x - y);
  const rate = keptUp ? both.at(-1) : both[0];
  if (rate === undefined) return null;
  const at = (steps: StepResult[]) => {
    const same = steps.filter((x) => x.targetRate === rate);
    // A step run twice (confirmed): the run that passed, else the last.
    const s = same.filter((x) => x.verdict === 'ok' || x.verdict === 'noise').at(-1) ?? same.at(-1)!;
    return { offeredPerSec: s.offeredPerSec, p50: s.latencyMs.p50, p99: s.latencyMs.p99 };
  };
  return { targetRate: rate, embedded: at(embedded), distributed: at(distributed) };
}

const sustained = (steps: StepResult[]) => {
  const ok = steps.filter((s) => s.verdict === 'ok');
  return ok.length ? Math.max(...ok.map((s) => s.offeredPerSec)) : null;
};
const ratio = (a: number | null, b: number | null) => (a !== null && b ? a / b : null);

export function compare(embeddedSteps: StepResult[], distributedSteps: StepResult[], cores: number): Comparison {
  const side = (steps: StepResult[]) => ({ saturationMsgPerSec: saturationStep(steps)?.deliveredPerSec ?? null, sustainedMsgPerSec: sustained(steps), saturated: steps.some((s) => s.verdict === 'saturated') });
  const embedded = side(embeddedSteps);
  const distributed = side(distributedSteps);
  const saturationRatio = ratio(distributed.saturationMsgPerSec, embedded.saturationMsgPerSec);
  const commonRate = latencyAt(embeddedSteps, distributedSteps, true);
  return {
    embedded,
    distributed,
    ratio: { saturation: saturationRatio, sustained: ratio(distributed.sustainedMsgPerSec, embedded.sustainedMsgPerSec) },
    meetsTarget: saturationRatio === null ? null : saturationRatio >= DISTRIBUTED_TARGET_RATIO,
    commonRate,
    firstRate: latencyAt(embeddedSteps, distributedSteps, false),
    cpu: {
      embedded: breakdown(saturationStep(embeddedSteps), cores),
      distributed: breakdown(saturationStep(distributedSteps), cores),
      distributedAtCommonRate: commonRate ? breakdown(distributedSteps.filter((s) => s.targetRate === commonRate.targetRate && s.verdict !== 'saturated').at(-1), cores) : null,
    },
  };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const fmt = (v: number | null | undefined, digits = 0) => (v == null ? '-' : v.toFixed(digits));
const fmtMs = (v: number | null | undefined) => (v == null ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(0));

function renderBreakdown(title: string, b: CpuBreakdown): string {
  return [
    `${title}: step ${b.step} at ${b.targetRate}/s target, ${fmt(b.deliveredPerSec)}/s delivered, ${b.messages} messages in ${b.windowSeconds.toFixed(1)} s; ${fmt(b.messagesPerServerCoreSecond)} messages per server core-second; the machine was ${fmt(b.machineBusyPct)}% busy of ${b.cores * 100}%${b.machineBusyPct < b.cores * 80 ? ' (well short of its cores: not CPU-bound)' : ''}`,
    table(['component', 'CPU s', '% of a core', 'CPU s / 1000 msg'], b.rows.map((r) => [r.component, r.cpuSeconds.toFixed(2), fmt(r.pctOfCore), r.perThousand.toFixed(3)])),
  ].join('\n');
}

export function renderComparison(c: Comparison, gateways: number, apps: number): string {
  const out = [`Embedded (1 process, SQLite, in-process messenger) vs distributed (${gateways} gateways + ${apps} app servers, PostgreSQL + NATS JetStream), same workload, same run`];
  const lat = (l: LatencyAt | null, which: 'embedded' | 'distributed') => (l ? `${fmtMs(l[which].p50)} / ${fmtMs(l[which].p99)}` : '-');
  const rows = [
    ['saturation, delivered msg/s', fmt(c.embedded.saturationMsgPerSec), fmt(c.distributed.saturationMsgPerSec), fmt(c.ratio.saturation, 3)],
    ['kept up with, offered msg/s', fmt(c.embedded.sustainedMsgPerSec), fmt(c.distributed.sustainedMsgPerSec), fmt(c.ratio.sustained, 3)],
    [`p50 / p99 ms at ${c.firstRate?.targetRate ?? '-'}/s (first step)`, lat(c.firstRate, 'embedded'), lat(c.firstRate, 'distributed'), ''],
    [`p50 / p99 ms at ${c.commonRate ? `${c.commonRate.targetRate}/s` : 'a rate'} both kept up with`, lat(c.commonRate, 'embedded'), lat(c.commonRate, 'distributed'), c.commonRate ? '' : 'none'],
    ['server CPU s / 1000 msg at saturation', fmt(c.cpu.embedded?.rows.find((r) => r.component === '= server total')?.perThousand, 3), fmt(c.cpu.distributed?.rows.find((r) => r.component === '= server total')?.perThousand, 3), ''],
  ];
  out.push(table(['', 'embedded', 'distributed', 'distributed/embedded'], rows));
  if (!c.embedded.saturated || !c.distributed.saturated) out.push(`  note: ${[!c.embedded.saturated && 'embedded', !c.distributed.saturated && 'distributed'].filter(Boolean).join(' and ')} did not saturate: raise --max-rate/--max-steps`);
  if (c.meetsTarget !== null)
    out.push(`  target: distributed >= ${DISTRIBUTED_TARGET_RATIO} x embedded throughput on one machine: ${c.meetsTarget ? 'met' : 'NOT met'} (${fmt(c.ratio.saturation, 3)})`);
  if (c.cpu.embedded) out.push('', renderBreakdown('CPU at the embedded saturation step', c.cpu.embedded));
  if (c.cpu.distributed) out.push('', renderBreakdown('CPU at the distributed saturation step', c.cpu.distributed));
  if (c.cpu.distributedAtCommonRate && c.cpu.distributedAtCommonRate.step !== c.cpu.distributed?.step)
    out.push('', renderBreakdown('CPU of the distributed profile at the common rate', c.cpu.distributedAtCommonRate));
  if (c.cpu.distributed) out.push('  (postgres shared and nats-server serve the whole machine: on a shared machine they may include other work)');
  return out.join('\n');
}

export interface PgStatsProcess {
  pid: number;
  seconds: number;
  transactions: { count: number; ms: number; maxMs: number };
}

/** The app servers' counters (bench/im/pg-stats.ts): the measured snapshot of each process, merged. */
export function readPgStats(stem: string): (SqlStats & { processes: PgStatsProcess[] }) | undefined {
  const dir = dirname(stem);
  const files = readdirSync(dir).filter((f) => f.startsWith(`${basename(stem)}.`));
  const snapshots = files
    .map((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n')[1])
    .filter((line): line is string => Boolean(line))
    .map((line) => JSON.parse(line) as PgStatsProcess & { statements: Array<{ sql: string; count: number; ms: number }> });
  if (snapshots.length === 0) return undefined;
  const merged = new Map<string, { count: number; ms: number }>();
  for (const s of snapshots) for (const st of s.statements) {
    const m = merged.get(st.sql) ?? { count: 0, ms: 0 };
    m.count += st.count;
    m.ms += st.ms;
    merged.set(st.sql, m);
  }
  const statements = [...merged].map(([sql, c]) => ({ sql, ...c })).sort((a, b) => b.ms - a.ms);
  const messages = statements.find((s) => /^insert into "?im_messages"?/.test(s.sql))?.count ?? 0;
  const commits = statements.find((s) => s.sql === 'commit')?.count ?? 0;
  const total = statements.reduce((a, s) => ({ count: a.count + s.count, ms: a.ms + s.ms }), { count: 0, ms: 0 });
  return {
    seconds: Math.max(...snapshots.map((s) => s.seconds)),
    messages,
    statementsPerMessage: messages ? total.count / messages : 0,
    msPerMessage: messages ? total.ms / messages : 0,
    commits,
    messagesPerCommit: commits ? messages / commits : 0,
    statements: statements.map((s) => ({ ...s, perMessage: messages ? s.count / messages : 0, usEach: (s.ms / s.count) * 1000 })),
    processes: snapshots.map(({ pid, seconds, transactions }) => ({ pid, seconds, transactions })),
  };
}

/** What the app servers' PostgreSQL connections were doing during the measured steps (pg_stat_activity samples). */
export function renderWaits(waits: { polls: number; intervalMs: number; samples: Record<string, number>; deadlocks: number } | undefined): string {
  if (!waits || waits.polls === 0) return '  (no pg_stat_activity samples)';
  const rows = Object.entries(waits.samples)
    .sort((a, b) => b[1] - a[1])
    .map(([state, n]) => [state, String(n), (n / waits.polls).toFixed(2)]);
  return [
    `PostgreSQL connections of the app servers during the measured steps (${waits.polls} samples of pg_stat_activity, every ${waits.intervalMs} ms; "idle in transaction ClientRead" = waiting for the app's next statement)`,
    table(['state and wait event', 'samples', 'connections on average'], rows),
    `  deadlocks in the database meanwhile (pg_stat_database, anyone's): ${waits.deadlocks}`,
  ].join('\n');
}
