import { downloadFile, uploadFile, type UploadOptions, type UploadResult } from '@pod/sdk/node';
import { PodError } from '@pod/sdk';
import assert from 'node:assert/strict';
import { openBlobDriver } from '../../src/blobs/index.ts';
import { createLogger } from '../../src/index.ts';
import { appSettingsOf } from '../../src/main.ts';
import type { GcContext } from '../../src/apps/files/gc.ts';
import type { FilesTables } from '../../src/store/schema.ts';
import type { Kysely } from 'kysely';
import type { TestPod, TestUser } from './pod.ts';

/** Small chunks, so that a few KiB make a file of many chunks. */
export const SMALL_CHUNKS = { minSize: 64, avgSize: 256, maxSize: 1024 };

export type UploadExtras = Partial<Omit<UploadOptions, 'server' | 'token' | 'path' | 'source'>>;

export function upload(pod: TestPod, user: TestUser, path: string, source: UploadOptions['source'], extras: UploadExtras = {}): Promise<UploadResult> {
  return uploadFile({ server: pod.url, token: user.token, path, source, ...extras });
}

/** A file's bytes as the gateway serves them, with the answer's status and headers. */
export async function fetchContent(pod: TestPod, user: Pick<TestUser, 'token'>, query: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(`${pod.url}/v1/files/content?${query}`, { headers: { authorization: `Bearer ${user.token}`, ...headers } });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

export async function contentOf(pod: TestPod, user: TestUser, path: string): Promise<Buffer> {
  const { status, body } = await fetchContent(pod, user, `path=${encodeURIComponent(path)}`);
  assert.equal(status, 200, `download of ${path}: ${body.toString().slice(0, 300)}`);
  return body;
}

export { downloadFile };

/** Asserts that `promise` is refused with `code` (and a message), answering the error. */
export async function refused(promise: Promise<unknown>, code: string, message?: RegExp): Promise<PodError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PodError, `expected a PodError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    assert.ok(error.message.length > 0);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a refusal with ${code}, but it succeeded`);
}

export function filesDb(pod: TestPod): Kysely<FilesTables> {
  return pod.pod.store.db as unknown as Kysely<FilesTables>;
}

/** What the files app's collector needs, from the running pod, so a test can drive it. */
export function gcContext(pod: TestPod): GcContext {
  const { config } = pod;
  return {
    db: filesDb(pod),
    blobs: pod.pod.blobs!,
    log: createLogger('silent'),
    settings: appSettingsOf(config),
  };
}

/**
 * The store's promises about chunks, checked from scratch: every chunk's reference count is
 * the number of manifest rows naming it, and every chunk a manifest names is present and its
 * blob reads back whole (hash checked).
 */
export async function assertChunkInvariants(pod: TestPod): Promise<void> {
  const db = filesDb(pod);
  const counted = await db.selectFrom('files_version_chunks').select(['hash', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('hash').execute();
  const rows = await db.selectFrom('files_chunks').selectAll().execute();
  const byHash = new Map(rows.map((row) => [row.hash, row]));
  for (const { hash, n } of counted) {
    const row = byHash.get(hash);
    assert.ok(row, `chunk ${hash} is referenced ${n} times but has no row`);
    assert.equal(row.state, 'present', `referenced chunk ${hash} is ${row.state}`);
    assert.equal(Number(row.refs), Number(n), `chunk ${hash}: refs ${row.refs}, manifest rows ${n}`);
    await pod.pod.blobs!.get(hash);
  }
  const referenced = new Set(counted.map((c) => c.hash));
  for (const row of rows) if (!referenced.has(row.hash)) assert.equal(Number(row.refs), 0, `chunk ${row.hash} has refs ${row.refs} but no manifest names it`);
}

/**
 * Replaces a blob's stored value (header byte and all) with others of the same length, behind
 * the store's back: bit rot on the server's disk or in its bucket, whichever the pod uses.
 */
export async function corruptBlob(pod: TestPod, hash: string): Promise<void> {
  const driver = await openBlobDriver(pod.config.blobsUrl);
  try {
    const stored = await driver.read(hash);
    assert.ok(stored, `blob ${hash} is stored`);
    await driver.write(hash, Buffer.concat([Buffer.from([0]), bytes(stored.length - 1, 77)]));
  } finally {
    await driver.close();
  }
}

/** Random-looking but reproducible bytes. */
export function bytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
