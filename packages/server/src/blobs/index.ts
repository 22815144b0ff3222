import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PodError } from '@pod/protocol';
import type { Logger } from 'pino';
import { createBlobs, type BlobDriver, type Blobs } from './blobs.ts';
import { openDiskBlobs } from './disk.ts';
import { openS3Blobs, redactS3 } from './s3.ts';

import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { ValuesDb } from './values.ts';

export { isBlobHash, MAX_BLOB_BYTES, sha256Hex, type BlobDriver, type Blobs, type SmallBlob } from './blobs.ts';

/**
 * `file:DIR` or a plain path (the blobs directory itself; the default is `<data>/blobs`), or
 * `s3://[KEY:SECRET@]BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true|false`.
 * `db`: the store, where small blobs are kept in the transactions that record them.
 */
export async function openBlobs(url: string, log: Logger, db?: Kysely<Database>): Promise<Blobs> {
  // The blob store sees only its own table.
  return createBlobs(await openBlobDriver(url), log, db as unknown as ValuesDb | undefined);
}

/** The driver alone: stored values as they are, unchecked (for tests that damage them). */
export async function openBlobDriver(url: string): Promise<BlobDriver> {
  if (url.startsWith('s3://')) return openS3Blobs(url);
  if (url.startsWith('file:') || !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    const root = resolve(url.startsWith('file://') ? fileURLToPath(url) : url.replace(/^file:/, ''));
    await mkdir(root, { recursive: true, mode: 0o700 });
    return openDiskBlobs(root);
  }
  throw new PodError('invalid', `unsupported blobs URL "${redactS3(url)}": use file:DIR (or a plain directory path) or s3://BUCKET?endpoint=URL`);
}
