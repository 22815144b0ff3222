/** The rooms benchmark's result: its JSON shape, the tables on stdout and the file under bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../im/processes.ts';
import type { CatchUp } from './catchup.ts';
import type { Step } from './fanout.ts';
import type { Profile } from './profiles.ts';
import type { SearchTimes } from './search.ts';

/** One offered rate: the pod's step and, right after it, the baseline's. */
export interface StepPair {
  offered: number;
  pod: Step;
  baseline?: Step;
  /** The pod's deliveries/s over the baseline's: below 1, the pod fell behind what the machine does. */
  ratio?: number;
}

export interface ProfileResult {
  profile: Profile;
  processes: string[];
  connected: number;
  steps: StepPair[];
  catchup: CatchUp;
  search: SearchTimes;
}

export interface RoomsResult {
  benchmark: 'rooms';
  at: string;
  machine: { cpus: number; node: string; loadAverage: number[] };
  options: Record<string, unknown>;
  /** How the baseline router was started, or why not. */
  baseline: string;
  profiles: ProfileResult[];
}

export const round = (n: number) => Math.round(n * 10) / 10;
const times = (pod: number, base: number) => (base > 0 ? `${round(pod / base)}x` : '-');

export function pair(offered: number, pod: Step, baseline: Step | undefined): StepPair {
  return baseline ? { offered, pod, baseline, ratio: Math.round((pod.deliveriesPerSecond / baseline.deliveriesPerSecond) * 100) / 100 } : { offered, pod };
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  return [header, ...rows].map((r) => r.map((cell, i) => String(cell).padStart(widths[i]!)).join('  ')).join('\n');
}

export function render(result: RoomsResult): string {
  const out: string[] = [];
  for (const p of result.profiles) {
    out.push(`\n${p.profile} profile, ${p.connected} members connected; baseline: ${p.steps[0]?.baseline ? 'bare ws router, the same sockets, rates and clock, steps alternating' : result.baseline}`);
    const header = ['offered/s', 'accepted/s', 'deliveries/s', 'p50 ms', 'p99 ms', 'failed', 'missing'];
    const withBase = p.steps.some((s) => s.baseline);
    if (withBase) header.push('base deliveries/s', 'base p50', 'base p99', 'ratio', 'p50 pod/base', 'p99 pod/base');
    const rows = p.steps.map((s) => {
      const row: Array<string | number> = [s.offered, s.pod.acceptedPerSecond, s.pod.deliveriesPerSecond, s.pod.p50Ms, s.pod.p99Ms, s.pod.failed, s.pod.missing];
      if (s.baseline) row.push(s.baseline.deliveriesPerSecond, s.baseline.p50Ms, s.baseline.p99Ms, s.ratio!.toFixed(2), times(s.pod.p50Ms, s.baseline.p50Ms), times(s.pod.p99Ms, s.baseline.p99Ms));
      else if (withBase) row.push('-', '-', '-', '-', '-', '-');
      return row;
    });
    out.push(table(header, rows));
    out.push(`catch-up: ${p.catchup.messages} messages in ${p.catchup.seconds} s (${p.catchup.messagesPerSecond}/s; stored at ${p.catchup.sendRate}/s)`);
    out.push(`search over ${p.search.storedMessages} messages: p50 ${p.search.p50Ms} ms, p99 ${p.search.p99Ms} ms (${p.search.meanResults} results per page on average)`);
  }
  return out.join('\n');
}

export function writeJson(result: RoomsResult, out: string | undefined): string {
  const file = out ?? join(repoRoot, 'bench/results', `rooms-${result.at.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
