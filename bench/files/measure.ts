/** The machine's limits: a bare server's PUT and GET of the large file, and of the small files. */
export type LimitRef = 'put-big' | 'get-big' | 'put-small' | 'put-small-parallel' | 'get-small';

/** One measured figure of the benchmark, and the shared shape of its inputs. */
export interface Measurement {
  section: 'limit' | 'pod' | 'webdav';
  /** What was done, such as "upload 1 GiB". */
  name: string;
  /** The limit's figure it is compared with (limit measurements name their own). */
  ref: LimitRef;
  /** Logical bytes moved and files (1 for a large file). */
  bytes: number;
  files: number;
  ms: number;
  /** Bytes the client actually sent (Pod's uploads send only chunks the server lacks). */
  bytesSent?: number;
}

export interface Workload {
  /** The large file, its edited copy (1 MiB changed in the middle) and their size. */
  big: string;
  edited: string;
  bigBytes: number;
  /** The small files' contents, distinct per run. */
  small: Buffer[];
  /** Files at once in the parallel small-file phases. */
  parallel: number;
  /** A scratch directory for downloads, emptied by the caller. */
  scratch: string;
  /** Names paths apart between runs. */
  run: number;
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export const mib = (bytes: number) => `${+(bytes / 1048576).toFixed(2)} MiB`;
export const kib = (bytes: number) => `${+(bytes / 1024).toFixed(1)} KiB`;
export const bigLabel = (bytes: number) => (bytes >= 1 << 30 && bytes % (1 << 30) === 0 ? `${bytes / (1 << 30)} GiB` : mib(bytes));
