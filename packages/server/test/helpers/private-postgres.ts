import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, onExit } from './processes.ts';

const run = promisify(execFile);
const BIN = process.env.POD_TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
/** PostgreSQL refuses to run as root: the cluster belongs to this account. */
const OWNER = 'postgres';

/**
 * A PostgreSQL cluster of one test's own, in a temporary directory on a free port, so the test
 * may stop and start it without touching the machine's server. Trust auth on 127.0.0.1.
 */
export interface PrivatePostgres {
  /** The `postgres` database of this cluster, as a postgres:// URL. */
  url: string;
  /** `immediate` is a crash (recovery from the WAL on start); `fast` a clean shutdown. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster if it runs and removes its directory. */
  destroy(): Promise<void>;
}

function asOwner(command: string, args: string[], cwd: string): Promise<unknown> {
  return run('runuser', ['-u', OWNER, '--', join(BIN, command), ...args], { cwd });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'pod-pg-'));
  const data = join(dir, 'data');
  const uid = Number(execFileSync('id', ['-u', OWNER], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', OWNER], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  const port = await freePort();
  // fsync=off: the faults here are process crashes, which the OS page cache survives, and
  // fsyncs would only slow a 2-core machine shared with other tests.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  let running = false;
  const start = async () => {
    await asOwner('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', serverOptions, 'start'], dir);
    running = true;
  };
  const stop = async (mode: 'immediate' | 'fast' = 'immediate') => {
    await asOwner('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop'], dir);
    running = false;
  };
  // pg_ctl starts a daemon, which would outlive this process.
  const forget = onExit(() => {
    try {
      execFileSync('runuser', ['-u', OWNER, '--', join(BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'], { stdio: 'ignore', cwd: dir });
    } catch {
      // not running (or being stopped): the directory goes all the same
    }
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await asOwner('initdb', ['-D', data, '-U', OWNER, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], dir);
    await start();
  } catch (error) {
    forget();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://${OWNER}@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async destroy() {
      if (running) await stop('immediate').catch(() => {});
      forget();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
