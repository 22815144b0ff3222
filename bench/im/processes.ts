/**
 * Server process control: Pod (through the `pod` CLI when it exists, else a small startPod
 * script) and the baseline router, each its own process on 127.0.0.1; CPU time and RSS from
 * /proc; and a registry that kills every child process at the end, even on error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(repoRoot, 'packages/cli/bin/pod.js');
export const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

const children = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void>>();

/** Work to undo at the end even on failure or an interrupt (a database schema, a NATS stream); runs after the processes stop. */
export function addCleanup(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export async function runCleanups(): Promise<void> {
  for (const fn of [...cleanups]) {
    cleanups.delete(fn);
    await fn().catch((error: unknown) => console.error(`cleanup failed: ${(error as Error).message}`));
  }
}

/** Remembers a child so `killAll` (and process exit) ends it. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function killAll(graceMs = 3000): Promise<void> {
  const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(alive.map((child) => stopChild(child, graceMs)));
}

/** SIGTERM, then SIGKILL after the grace period. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let installed = false;
/** On exit or an interrupt, no child outlives the benchmark. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every child process`);
      void killAll(1000)
        .then(runCleanups)
        .finally(() => process.exit(130));
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  kind: 'pod' | 'baseline' | 'gateway' | 'apps';
  /** How it was started, for the report. */
  how: string;
  url: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface PodStartOptions {
  dataDir: string;
  logFile: string;
  entry: 'auto' | 'cli' | 'script';
  /** Extra node flags for the server process (--cpu-prof ...). */
  nodeFlags: string[];
  /** Count statements into this file (bench/im/sql-stats.ts); needs the script entry. */
  sqlStatsFile?: string;
}

/** Pod as its own process, log level warn, on a temporary data dir; resolves once /healthz answers. */
export async function startPodServer(options: PodStartOptions): Promise<ServerProcess> {
  const port = await freePort();
  const useCli = !options.sqlStatsFile && (options.entry === 'cli' || (options.entry === 'auto' && existsSync(CLI)));
  if (options.entry === 'cli' && !existsSync(CLI)) throw new Error(`--server-entry cli: ${CLI} does not exist yet`);
  const args = useCli
    ? [...options.nodeFlags, CLI, 'serve', '--data', options.dataDir, '--host', '127.0.0.1', '--port', String(port)]
    : [...options.nodeFlags, '--import', 'tsx', join(repoRoot, 'bench/im/pod-server.ts'), '--data', options.dataDir, '--port', String(port)];
  const why = options.sqlStatsFile ? 'startPod with statement counters' : options.entry === 'script' ? 'startPod' : 'startPod; packages/cli/bin/pod.js does not exist yet';
  const how = useCli ? `node ${args.join(' ')}` : `node ${args.join(' ')} (${why})`;
  return launch('pod', how, args, options.logFile, port, { POD_LOG_LEVEL: 'warn', ...(options.sqlStatsFile ? { POD_BENCH_SQL_STATS: options.sqlStatsFile } : {}) });
}

export async function startBaseline(options: { dataDir: string; logFile: string; nodeFlags: string[] }): Promise<ServerProcess> {
  const port = await freePort();
  const args = [...options.nodeFlags, '--import', 'tsx', join(repoRoot, 'bench/im/baseline-router.ts'), '--data', options.dataDir, '--port', String(port)];
  return launch('baseline', `node ${args.join(' ')}`, args, options.logFile, port, {});
}

/** Starts `node ARGS` with its output in `logFile`; resolves once http://127.0.0.1:PORT/healthz answers 200. */
export async function launch(kind: ServerProcess['kind'], how: string, args: string[], logFile: string, port: number, env: Record<string, string>): Promise<ServerProcess> {
  const fd = openSync(logFile, 'a');
  const child = track(spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } }));
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`${kind} server exited (${code ?? signal}) before it was ready; log:\n${tail(logFile)}`))));
  exited.catch(() => {});
  await Promise.race([waitHealthy(url, 60_000), exited]);
  return { kind, how, url, pid: child.pid!, logFile, child, stop: () => stopChild(child, 10_000) };
}

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url}/healthz did not answer within ${timeoutMs} ms`);
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function countLines(file: string, pattern: RegExp): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => pattern.test(line)).length;
  } catch {
    return 0;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readStat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** The process and all its descendants (the CLI may run the server in a child of its own). */
export function processTree(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) parentOf.set(Number(name), stat.ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** utime + stime of a process tree, in clock ticks (1/100 s), threads included. */
export function cpuTicks(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) ticks += readStat(pid)?.ticks ?? 0;
  return ticks;
}

/** Resident set size of a process tree, in KiB. */
export function rssKiB(root: number): number {
  let kib = 0;
  for (const pid of processTree(root)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kib += match ? Number(match[1]) : 0;
    } catch {
      // exited meanwhile
    }
  }
  return kib;
}

/** Busy ticks of the whole machine (all cores), from /proc/stat. */
export function machineBusyTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait
  return fields.slice(0, 8).reduce((a, v, i) => (i === 3 || i === 4 ? a : a + v), 0);
}

/**
 * Waits (at most `maxMs`) for a second in which the rest of the machine used under
 * `thresholdPct` of one core, so that a step does not start inside someone else's burst.
 * Answers how long it waited.
 */
export async function waitForQuiet(maxMs: number, thresholdPct = 30): Promise<number> {
  const started = performance.now();
  for (;;) {
    const machine = machineBusyTicks();
    const ours = cpuTicks(process.pid);
    await sleep(1000);
    const other = ((machineBusyTicks() - machine - (cpuTicks(process.pid) - ours)) / CLOCK_TICKS) * 100;
    const waited = performance.now() - started;
    if (other < thresholdPct || waited >= maxMs) return waited - 1000;
  }
}
