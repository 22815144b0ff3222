// Starts Pod in this process with `startPod` (used when the `pod` CLI is absent, or for --sql-stats).
// Usage: node --import tsx bench/im/pod-server.ts --data DIR --port N
import { createLogger, resolveConfig, startPod } from '@pod/server';
import { parseArgs } from 'node:util';
import { installSqlStats } from './sql-stats.ts';

if (process.env.POD_BENCH_SQL_STATS) installSqlStats(process.env.POD_BENCH_SQL_STATS);

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' } } });
const config = resolveConfig({ data: values.data, port: values.port, host: '127.0.0.1', logLevel: process.env.POD_LOG_LEVEL ?? 'warn' });
const pod = await startPod(config, createLogger(config.logLevel));
console.log(`pod listening on ${pod.url}`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  // A normal exit, so --cpu-prof writes its profile.
  void pod.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
