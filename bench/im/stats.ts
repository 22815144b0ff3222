/**
 * Latency histograms with logarithmic buckets (2% wide, 10 µs to ~17 min) that merge across
 * generator processes, plus the small statistics the report needs.
 */
const MIN_MS = 0.01;
const GROWTH = 1.02;
const BUCKETS = 1000;
const LOG_GROWTH = Math.log(GROWTH);

export interface HistogramData {
  counts: number[];
  count: number;
  max: number;
}

export class Histogram {
  readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;

  record(ms: number): void {
    const v = ms < MIN_MS ? MIN_MS : ms;
    let i = Math.ceil(Math.log(v / MIN_MS) / LOG_GROWTH);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  toJSON(): HistogramData {
    return { counts: Array.from(this.counts), count: this.count, max: this.max };
  }
}

export function mergeHistograms(parts: HistogramData[]): HistogramData {
  const counts = new Array<number>(BUCKETS).fill(0);
  let count = 0;
  let max = 0;
  for (const part of parts) {
    for (let i = 0; i < BUCKETS; i++) counts[i]! += part.counts[i] ?? 0;
    count += part.count;
    max = Math.max(max, part.max);
  }
  return { counts, count, max };
}

/** The upper edge of the bucket holding the q-th quantile (at most 2% high), capped by the true max. */
export function quantile(h: HistogramData, q: number): number | null {
  if (h.count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * h.count));
  let seen = 0;
  for (let i = 0; i < h.counts.length; i++) {
    seen += h.counts[i]!;
    if (seen >= rank) return Math.min(MIN_MS * GROWTH ** i, h.max);
  }
  return h.max;
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export function summarize(h: HistogramData): LatencySummary {
  return { count: h.count, p50: quantile(h, 0.5), p90: quantile(h, 0.9), p99: quantile(h, 0.99), max: h.count ? h.max : null };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Adds per-second series of equal length element by element. */
export function addSeries(series: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  const out = new Array<number>(length).fill(0);
  for (const s of series) s.forEach((v, i) => (out[i]! += v));
  return out;
}

export function addCounts(parts: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of parts) for (const [k, v] of Object.entries(part)) out[k] = (out[k] ?? 0) + v;
  return out;
}
