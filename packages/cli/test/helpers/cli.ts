import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUserOffline } from '../../../server/src/index.ts';
import type { TestPod } from '../../../server/test/helpers/pod.ts';

export const podBin = fileURLToPath(new URL('../../bin/pod.js', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  configDir?: string;
  /** Written to stdin, which is then closed. */
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Run this executable (such as the node_modules/.bin/pod link) instead of `node bin/pod.js`. */
  executable?: string;
}

/** The environment of a `pod` child: none of this process's POD_* settings leak in. */
function childEnv(options: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('POD_')) env[key] = value;
  if (options.configDir) env.POD_CONFIG_DIR = options.configDir;
  return { ...env, ...options.env };
}

/** A running `pod` child whose output can be awaited line by line. */
export class PodProcess {
  /** Every child still running, so a failed test cannot leave one behind (see stopAll). */
  static readonly running = new Set<PodProcess>();
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<RunResult>;
  private readonly watchers = new Set<() => void>();

  constructor(args: string[], options: RunOptions = {}) {
    const [command, commandArgs] = options.executable ? [options.executable, args] : [process.execPath, [podBin, ...args]];
    this.child = spawn(command, commandArgs, { env: childEnv(options), cwd: options.cwd ?? repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      this.stdout += text;
      for (const watcher of this.watchers) watcher();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text;
      for (const watcher of this.watchers) watcher();
    });
    this.child.stdin!.end(options.input ?? '');
    PodProcess.running.add(this);
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        PodProcess.running.delete(this);
        for (const watcher of this.watchers) watcher();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /**
   * The first complete line on `stream` that satisfies `match`; fails if the process exits first
   * or after `ms`. The deadline is generous because a loaded two-core machine takes seconds to
   * start a process that loads the whole server through tsx; the line itself is awaited.
   */
  line(stream: 'stdout' | 'stderr', match: (line: string) => boolean, ms = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const lines = this[stream].split('\n').slice(0, -1);
        const found = lines.find(match);
        if (found !== undefined) return finish(() => resolve(found));
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish(() => reject(new Error(`pod exited (${this.child.exitCode ?? this.child.signalCode}) before the line appeared\nstdout: ${this.stdout}\nstderr: ${this.stderr}`)));
        }
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no such line on ${stream} within ${ms} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`))), ms);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.watchers.delete(check);
        settle();
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Sends `signal`; a child still running 10 s later is killed, so a test never hangs on it. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<RunResult> {
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

// Even a test process that ends abruptly leaves no `pod` child behind.
process.on('exit', () => {
  for (const running of PodProcess.running) running.child.kill('SIGKILL');
});

/** Kills every `pod` child a test left running; call it in `after`. */
export async function stopAll(): Promise<void> {
  await Promise.all([...PodProcess.running].map((p) => p.stop('SIGKILL')));
}

/** Runs `pod` to completion. */
export function pod(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new PodProcess(args, options).exited;
}

/** Runs `pod` and fails the test, showing its output, unless it exits 0. */
export async function podOk(args: string[], options: RunOptions = {}): Promise<string> {
  const result = await pod(args, options);
  if (result.code !== 0) throw new Error(`pod ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result.stdout;
}

/** Like podOk, parsing the one JSON document on stdout. */
export async function podJson<T = unknown>(args: string[], options: RunOptions = {}): Promise<T> {
  return JSON.parse(await podOk([...args, '--json'], options)) as T;
}

/** A temporary directory, removed by `cleanup`. */
export function tempDir(prefix: string, cleanup: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

/** Removes the temporary directories, after stopping any `pod` child still using them. */
export async function removeAll(dirs: string[]): Promise<void> {
  await stopAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface CliUser {
  name: string;
  password: string;
  configDir: string;
  run(args: string[], input?: string): Promise<RunResult>;
  ok(args: string[], input?: string): Promise<string>;
  json<T = unknown>(args: string[]): Promise<T>;
  spawn(args: string[]): PodProcess;
}

/**
 * Creates an account in the test pod's store (with `pod user create` when `byCommand`, else
 * directly: that command loads the whole server, which most tests need not pay for), and signs
 * it in with `pod login`, in its own config dir.
 */
export async function cliUser(test: TestPod, name: string, cleanup: string[], options: { admin?: boolean; byCommand?: boolean } = {}): Promise<CliUser> {
  const password = `${name}-long-password`;
  const configDir = tempDir(`pod-cli-${name}-`, cleanup);
  if (options.byCommand) {
    await podOk(['user', 'create', name, '--password-stdin', '--data', test.dataDir, '--database-url', test.config.databaseUrl, ...(options.admin ? ['--admin'] : [])], { input: `${password}\n` });
  } else await createUserOffline(test.config.databaseUrl, { name, password, admin: options.admin ?? false });
  await podOk(['login', '--server', test.url, '--user', name, '--password-stdin'], { configDir, input: `${password}\n` });
  return {
    name,
    password,
    configDir,
    run: (args, input) => pod(args, input === undefined ? { configDir } : { configDir, input }),
    ok: (args, input) => podOk(args, input === undefined ? { configDir } : { configDir, input }),
    json: (args) => podJson(args, { configDir }),
    spawn: (args) => new PodProcess(args, { configDir }),
  };
}
