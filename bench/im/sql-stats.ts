/**
 * Counters for `--sql-stats`: wraps better-sqlite3 in the Pod server process (the bench's
 * startPod script, never the server's code) to count and time every statement by its SQL.
 * SIGUSR1 appends a snapshot `{ label, statements }` to FILE and starts counting afresh.
 */
import Database from 'better-sqlite3';
import { appendFileSync } from 'node:fs';

interface Counter {
  count: number;
  ms: number;
}

export function installSqlStats(file: string): void {
  let stats = new Map<string, Counter>();
  let since = performance.now();
  let snapshots = 0;
  const record = (sql: string, ms: number) => {
    const key = sql.replace(/\s+/g, ' ').trim();
    const counter = stats.get(key);
    if (counter) {
      counter.count++;
      counter.ms += ms;
    } else stats.set(key, { count: 1, ms });
  };
  const proto = Database.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const prepare = proto.prepare!;
  proto.prepare = function (this: unknown, sql: unknown) {
    const statement = prepare.call(this, sql) as Record<string, (...args: unknown[]) => unknown>;
    for (const method of ['run', 'all', 'get'] as const) {
      const original = statement[method]!;
      statement[method] = (...args: unknown[]) => {
        const started = performance.now();
        try {
          return original.apply(statement, args);
        } finally {
          record(String(sql), performance.now() - started);
        }
      };
    }
    return statement;
  };
  const exec = proto.exec!;
  proto.exec = function (this: unknown, sql: unknown) {
    const started = performance.now();
    try {
      return exec.call(this, sql);
    } finally {
      record(String(sql), performance.now() - started);
    }
  };
  const dump = () => {
    const statements = [...stats].map(([sql, c]) => ({ sql, count: c.count, ms: Math.round(c.ms * 10) / 10 })).sort((a, b) => b.ms - a.ms);
    appendFileSync(file, `${JSON.stringify({ snapshot: ++snapshots, seconds: (performance.now() - since) / 1000, statements })}\n`);
    stats = new Map();
    since = performance.now();
  };
  process.on('SIGUSR1', dump);
}
