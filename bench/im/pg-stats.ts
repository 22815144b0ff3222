/**
 * Counters for `--sql-stats` on the distributed profile, preloaded into each app-server
 * process (`node --import tsx --import bench/im/pg-stats.ts ...`): wraps pg's Client#query to
 * count and time every statement by its text as the client sees it (round trip included),
 * and the time each connection spends inside a transaction (begin to commit). SIGUSR1
 * appends a snapshot to $POD_BENCH_SQL_STATS.<pid> and starts counting afresh.
 */
import { appendFileSync } from 'node:fs';
import pg from 'pg';

interface Counter {
  count: number;
  ms: number;
}

const file = process.env.POD_BENCH_SQL_STATS;
if (file) install(`${file}.${process.pid}`);

/** Statement text with `$n` as `?` and a multi-row VALUES list as one row, so one statement is one key. */
function key(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\$\d+/g, '?')
    .replace(/(\((?:\?, )*\?\))(?:, \((?:\?, )*\?\))+/g, '$1, ...');
}

function install(out: string): void {
  let stats = new Map<string, Counter>();
  let since = performance.now();
  let snapshots = 0;
  let transactions = { count: 0, ms: 0, maxMs: 0 };
  const openedAt = new WeakMap<object, number>();
  const record = (sql: string, ms: number) => {
    const k = key(sql);
    const counter = stats.get(k);
    if (counter) {
      counter.count++;
      counter.ms += ms;
    } else stats.set(k, { count: 1, ms });
  };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: object, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    const result = query.apply(this, args);
    if (text === undefined || !(result instanceof Promise)) return result;
    const started = performance.now();
    if (text === 'begin') openedAt.set(this, started);
    const done = () => {
      const now = performance.now();
      record(text, now - started);
      if (text === 'commit' || text === 'rollback') {
        const opened = openedAt.get(this);
        if (opened !== undefined) {
          transactions.count++;
          transactions.ms += now - opened;
          transactions.maxMs = Math.max(transactions.maxMs, now - opened);
          openedAt.delete(this);
        }
      }
    };
    result.then(done, done);
    return result;
  };
  process.on('SIGUSR1', () => {
    const statements = [...stats].map(([sql, c]) => ({ sql, count: c.count, ms: Math.round(c.ms * 10) / 10 })).sort((a, b) => b.ms - a.ms);
    appendFileSync(out, `${JSON.stringify({ snapshot: ++snapshots, pid: process.pid, seconds: (performance.now() - since) / 1000, transactions, statements })}\n`);
    stats = new Map();
    transactions = { count: 0, ms: 0, maxMs: 0 };
    since = performance.now();
  });
}
