/** Search timed one query at a time over the archive room (common words, rare words, two-word queries). */
import { callOp } from '@pod/sdk/node';
import { Histogram, summarize } from '../im/stats.ts';
import { round } from './report.ts';
import { SEARCH_QUERIES, type Seeded } from './seed.ts';

export interface SearchTimes {
  storedMessages: number;
  searches: number;
  p50Ms: number;
  p99Ms: number;
  meanResults: number;
}

export async function timeSearches(url: string, seeded: Seeded, storedMessages: number, searches: number): Promise<SearchTimes> {
  const latencies = new Histogram();
  let found = 0;
  for (let i = 0; i < searches; i++) {
    const t = performance.now();
    const page = await callOp(url, seeded.searcher.token, 'rooms.search', { query: SEARCH_QUERIES[i % SEARCH_QUERIES.length]!, limit: 20 });
    latencies.record(performance.now() - t);
    found += page.results.length;
  }
  const { p50, p99 } = summarize(latencies.toJSON());
  return { storedMessages, searches, p50Ms: round(p50 ?? NaN), p99Ms: round(p99 ?? NaN), meanResults: round(found / searches) };
}
