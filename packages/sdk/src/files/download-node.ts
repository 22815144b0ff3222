import { PodError, type FileRef } from '@pod/protocol';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { callOp, toPodError } from '../http.ts';

export interface DownloadOptions {
  server: string;
  token: string;
  /** The file in the pod: a path or an id. */
  target: FileRef;
  /** An earlier version's id; the current one by default. */
  version?: number;
  /** Where to write it on this computer. */
  to: string;
  /**
   * Downloads are kept here by content hash, so the same content is never downloaded twice
   * (default `$POD_CACHE_DIR`, else `$XDG_CACHE_HOME/pod/files`, else `~/.cache/pod/files`);
   * false keeps no cache.
   */
  cacheDir?: string | false;
  onProgress?: (progress: { size: number; bytesReceived: number }) => void;
  fetch?: typeof fetch;
}

export interface DownloadResult {
  path: string;
  size: number;
  hash: string;
  /** Where the bytes came from: the network, the cache, or the destination already held them. */
  source: 'network' | 'cache' | 'destination';
  bytesReceived: number;
}

export function defaultCacheDir(): string {
  if (process.env.POD_CACHE_DIR) return process.env.POD_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pod', 'files');
}

const HASH = /^[0-9a-f]{64}$/;

/** SHA-256 of a local file, or undefined when it is not there (or not of `size` bytes). */
async function hashOf(path: string, size: number): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size !== size) return undefined;
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

/**
 * Downloads a file to `to`, unless its content is already on this computer: at `to` itself, or
 * in the cache by content hash (checked again before use). Bytes from the network are hashed
 * as they arrive and kept only if they match the hash the server stands behind (its ETag); a
 * transfer the server cut short (a corrupt chunk on its side) fails and leaves nothing behind.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const cacheDir = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultCacheDir());
  const { entry } = await callOp(options.server, options.token, 'files.stat', { target: options.target }, { fetch: options.fetch });
  if (entry.kind !== 'file') throw new PodError('invalid', `${String(options.target)} is a folder; download its files one by one`);
  let expected: { hash: string; size: number } = { hash: entry.hash!, size: entry.size };
  if (options.version !== undefined && options.version !== entry.version) {
    const { versions } = await callOp(options.server, options.token, 'files.versions', { target: entry.id }, { fetch: options.fetch });
    const version = versions.find((v) => v.id === options.version);
    if (!version) throw new PodError('not_found', `this file has no version ${options.version}`);
    expected = { hash: version.hash, size: version.size };
  }
  const done = (source: DownloadResult['source'], bytesReceived = 0): DownloadResult => ({ path: options.to, size: expected.size, hash: expected.hash, source, bytesReceived });
  if ((await hashOf(options.to, expected.size)) === expected.hash) return done('destination');
  const cached = cacheDir === undefined ? undefined : join(cacheDir, expected.hash.slice(0, 2), expected.hash);
  if (cached && (await hashOf(cached, expected.size)) === expected.hash) {
    await place(cached, options.to);
    return done('cache');
  }
  const fetched = await fetchContent(options, entry.id, cacheDir ?? dirname(options.to));
  try {
    if (cacheDir !== undefined) {
      const into = join(cacheDir, fetched.hash.slice(0, 2), fetched.hash);
      await mkdir(dirname(into), { recursive: true, mode: 0o700 });
      await rename(fetched.path, into);
      await place(into, options.to);
    } else {
      await rename(fetched.path, options.to);
    }
  } finally {
    await rm(fetched.path, { force: true });
  }
  return { path: options.to, size: fetched.size, hash: fetched.hash, source: 'network', bytesReceived: fetched.size };
}

/** Copies a cached file to its destination (a copy-on-write clone where the file system can). */
async function place(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const partial = `${to}.${randomBytes(6).toString('hex')}.part`;
  try {
    await copyFile(from, partial);
    await rename(partial, to);
  } finally {
    await rm(partial, { force: true });
  }
}

async function fetchContent(options: DownloadOptions, id: number, tempDir: string): Promise<{ path: string; size: number; hash: string }> {
  const query = new URLSearchParams({ id: String(id), ...(options.version === undefined ? {} : { version: String(options.version) }) });
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${options.server.replace(/\/$/, '')}/v1/files/content?${query}`, { headers: { authorization: `Bearer ${options.token}` } });
  } catch (error) {
    throw new PodError('unavailable', `cannot reach ${options.server}: ${(error as Error).message}`);
  }
  if (!response.ok) throw toPodError(await response.json().catch(() => undefined), response.status);
  const hash = /^"([0-9a-f]{64})"$/.exec(response.headers.get('etag') ?? '')?.[1];
  const size = Number(response.headers.get('content-length'));
  if (!hash || !HASH.test(hash) || !Number.isSafeInteger(size) || !response.body) throw new PodError('unavailable', 'the server answered a download without its ETag, length or body');
  await mkdir(tempDir, { recursive: true, mode: 0o700 });
  const path = join(tempDir, `.${hash}.${randomBytes(6).toString('hex')}.part`);
  const digest = createHash('sha256');
  let received = 0;
  const count = new Transform({
    transform(piece: Buffer, _encoding, callback) {
      digest.update(piece);
      received += piece.length;
      options.onProgress?.({ size, bytesReceived: received });
      callback(null, piece);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as never), count, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await rm(path, { force: true });
    throw new PodError('unavailable', `the download of ${String(options.target)} broke off after ${received} of ${size} bytes: ${(error as Error).message}`);
  }
  const actual = digest.digest('hex');
  if (received !== size || actual !== hash) {
    await rm(path, { force: true });
    throw new PodError('unavailable', `the download of ${String(options.target)} arrived damaged (${received} of ${size} bytes, SHA-256 ${actual}); try again`);
  }
  return { path, size, hash };
}
