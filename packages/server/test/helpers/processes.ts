import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** A port nothing listens on now, for a server that must keep its port across restarts. */
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

/** Polls `check` until it answers true, failing with `what` after `ms`: for conditions no event announces. */
export async function pollUntil(what: string, check: () => boolean | Promise<boolean>, ms = 10_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface Child {
  process: ChildProcess;
  /** What it wrote on stderr (and stdout beyond the awaited line), last lines kept for failure messages. */
  output(): string;
  exited: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const OUTPUT_LINES_KEPT = 200;
const exitHooks = new Set<() => void>();
let hooksInstalled = false;

/**
 * Runs `hook` (synchronous) if this process ends before it is removed: a test killed by a
 * signal or ending past its teardown must leave no server behind on a shared machine.
 * Answers how to remove it.
 */
export function onExit(hook: () => void): () => void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.once('exit', () => {
      for (const run of [...exitHooks]) {
        try {
          run();
        } catch {
          // the next hook must still run
        }
      }
    });
    // Without a listener, these signals end the process without its 'exit' event.
    process.once('SIGINT', () => process.exit(130));
    process.once('SIGTERM', () => process.exit(143));
  }
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

/**
 * Starts a command and resolves once a line of its output satisfies `ready` (answering what
 * that line says), failing with the output when it exits first or takes longer than `ms`.
 */
export function startChild<T>(command: string, args: string[], ready: (line: string) => T | undefined, ms = 20_000): Promise<{ child: Child; found: T }> {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const forget = onExit(() => proc.kill('SIGKILL'));
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    // A command that cannot start (not installed) ends here, maybe without an 'exit' event.
    proc.once('error', (error) => {
      lines.push(`cannot run ${command}: ${error.message}`);
      resolve();
    });
  });
  void exited.then(forget);
  const child: Child = {
    process: proc,
    output: () => lines.join('\n'),
    exited,
    async kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} was not ready within ${ms} ms:\n${child.output()}`));
    }, ms);
    let found = false;
    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
      if (found) return;
      const value = ready(line);
      if (value === undefined) return;
      found = true;
      clearTimeout(timer);
      resolve({ child, found: value });
    };
    createInterface({ input: proc.stdout! }).on('line', onLine);
    createInterface({ input: proc.stderr! }).on('line', onLine);
    void exited.then(() => {
      clearTimeout(timer);
      if (!found) reject(new Error(`${command} ${args.join(' ')} exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${child.output()}`));
    });
  });
}
