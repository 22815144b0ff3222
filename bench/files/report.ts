/** The files benchmark's table (medians over runs, each as a ratio to the machine's limit) and its JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../im/processes.ts';
import type { LimitRef, Measurement } from './measure.ts';

/** Issue 5's figures for this machine and workload (1 GiB PUT, 100 KiB files one at a time). */
export const REFERENCE = {
  apacheModDav: { mbPerSec: 530, filesPerSec: 625 },
  rcloneServe: { mbPerSec: 310, filesPerSec: 500 },
  target: { bigRatio: 0.7, filesPerSec: 625 },
} as const;

export interface Row {
  section: Measurement['section'];
  name: string;
  ref: LimitRef;
  runs: number;
  /** Medians over the runs. */
  ms: number;
  mbPerSec: number;
  filesPerSec: number;
  bytesSent?: number;
  /** Of the limit's figure for `ref` (MB/s for one file, files/s for many). */
  ratio: number | null;
}

export interface FilesResult {
  benchmark: 'files';
  startedAt: string;
  finishedAt?: string;
  machine: { cpus: number; node: string; loadAverage: number[] };
  options: Record<string, unknown>;
  server: string;
  webdav: string;
  measurements: Measurement[];
  rows?: Row[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export function summarize(measurements: Measurement[]): Row[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.section}\0${m.name}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const rows = [...groups.values()].map((group): Row => {
    const first = group[0]!;
    const ms = median(group.map((m) => m.ms));
    const sent = group.filter((m) => m.bytesSent !== undefined).map((m) => m.bytesSent!);
    return {
      section: first.section,
      name: first.name,
      ref: first.ref,
      runs: group.length,
      ms,
      mbPerSec: first.bytes / 1e6 / (ms / 1000),
      filesPerSec: first.files / (ms / 1000),
      ...(sent.length ? { bytesSent: median(sent) } : {}),
      ratio: null,
    };
  });
  const limit = new Map(rows.filter((r) => r.section === 'limit').map((r) => [r.ref, r]));
  for (const row of rows) {
    const base = limit.get(row.ref);
    const many = row.ref !== 'put-big' && row.ref !== 'get-big';
    if (base) row.ratio = many ? row.filesPerSec / base.filesPerSec : row.mbPerSec / base.mbPerSec;
  }
  return rows;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const sentLabel = (bytes: number | undefined) => (bytes === undefined ? '' : bytes < 1e6 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1048576).toFixed(1)} MiB`);

export function render(result: FilesResult): string {
  const rows = result.rows ?? [];
  const out = [
    `Files (MB = 10^6 bytes; medians of ${Math.max(0, ...rows.map((r) => r.runs))} run(s); "of limit" is MB/s for one file and files/s for many, against the bare server's same transfer)`,
    table(
      ['', 'transfer', 'time', 'MB/s', 'files/s', 'sent', 'of limit'],
      rows.map((r) => [
        r.section,
        r.name,
        r.ms >= 1000 ? `${(r.ms / 1000).toFixed(2)} s` : `${r.ms.toFixed(0)} ms`,
        r.mbPerSec.toFixed(0),
        r.filesPerSec >= 10 ? r.filesPerSec.toFixed(0) : r.filesPerSec.toFixed(2),
        sentLabel(r.bytesSent),
        r.ratio === null || r.section === 'limit' ? '' : r.ratio.toFixed(2),
      ]),
    ),
  ];
  if (result.webdav !== 'measured') out.push(`webdav: ${result.webdav}`);
  const podBig = rows.find((r) => r.section === 'pod' && r.ref === 'put-big');
  const podSmall = rows.find((r) => r.section === 'pod' && r.ref === 'put-small');
  if (podBig && podSmall) {
    out.push(
      `targets: upload of one large file ${podBig.ratio?.toFixed(2) ?? '-'} of the limit (aim >= ${REFERENCE.target.bigRatio}); small files ${podSmall.filesPerSec.toFixed(0)}/s one at a time (Apache mod_dav ${REFERENCE.apacheModDav.filesPerSec}/s, rclone serve webdav ${REFERENCE.rcloneServe.filesPerSec}/s, neither syncing to disk)`,
    );
  }
  return out.join('\n');
}

export function writeJson(result: FilesResult, file?: string): string {
  const dir = join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const path = file ?? join(dir, `files-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
