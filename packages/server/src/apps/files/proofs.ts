import { PodError, type ChunkProof } from '@pod/protocol';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Blobs } from '../../blobs/index.ts';
import type { Db } from './nodes.repo.ts';
import { uploadEntries, type UploadEntry, type UploadRow } from './uploads.repo.ts';

const PAGE = 1000;
/** Chunks read from the blob store at once when checking proofs. */
const PARALLEL = 4;

/**
 * The chunk's bytes as the client reads them, or the reason to ask for them again: absent
 * (collected) or corrupt in storage. Either way the client still has them and sends them.
 */
async function chunkBytes(blobs: Blobs, hash: string, checked = true): Promise<Uint8Array> {
  try {
    return await (checked ? blobs.get(hash) : blobs.getUnchecked(hash));
  } catch (error) {
    if (error instanceof PodError && (error.code === 'not_found' || error.code === 'internal')) {
      throw new PodError('conflict', `the server cannot use its copy of chunk ${hash}; send its bytes instead of a proof`, { resend: [hash] });
    }
    throw error;
  }
}

/**
 * The proof a chunk PUT answers the caller once the chunk's bytes are stored: HMAC-SHA256 keyed
 * by the upload's secret (which never leaves the server) over the chunk's hash and size. Only
 * the caller who sent the bytes holds it, so the commit takes it for "sent" without anything
 * having been written when the bytes arrived.
 */
export function receiptFor(upload: Pick<UploadRow, 'receipt_key'>, hash: string, size: number): string {
  return createHmac('sha256', upload.receipt_key).update(`${hash} ${size}`).digest('hex');
}

const sameHex = (a: string, b: string) => timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

/** A chunk proven held: `sent` by the caller (its PUT's proof), or proven over the stored bytes, whose length `size` is. */
export interface ProvenChunk {
  hash: string;
  size: number;
  sent: boolean;
}

/**
 * Checks proofs of possession: a chunk PUT's proof (see receiptFor), or HMAC-SHA256 keyed by
 * the upload's nonce over the chunk's bytes. Only someone holding the bytes can compute the
 * latter, and the nonce is new for each upload, so neither knowing a hash nor replaying an old
 * proof gets anyone a chunk. One wrong proof refuses them all.
 */
export async function verifyProofs(blobs: Blobs, upload: UploadRow, proofs: readonly ChunkProof[], declared: (hash: string) => Promise<number | undefined>): Promise<ProvenChunk[]> {
  const proven: ProvenChunk[] = [];
  let next = 0;
  const worker = async () => {
    while (next < proofs.length) {
      const index = next++;
      const { hash, proof } = proofs[index]!;
      const size = await declared(hash);
      if (size === undefined) throw new PodError('invalid', `chunk ${hash} is not part of upload ${upload.id}`);
      if (sameHex(receiptFor(upload, hash, size), proof)) {
        proven[index] = { hash, size, sent: true };
        continue;
      }
      const bytes = await chunkBytes(blobs, hash);
      if (!sameHex(createHmac('sha256', upload.nonce).update(bytes).digest('hex'), proof)) {
        throw new PodError('forbidden', `the proof of possession for chunk ${hash} is wrong: it is HMAC-SHA256 keyed by the upload's nonce over the chunk's bytes, or the proof its PUT answered`);
      }
      proven[index] = { hash, size: bytes.length, sent: false };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, proofs.length) }, worker));
  return proven;
}

/** Every entry of an upload's manifest, in order, a page at a time. */
export async function* manifestEntries(db: Db, uploadId: string): AsyncGenerator<UploadEntry> {
  for (let from = 0; ; from += PAGE) {
    const page = await uploadEntries(db, uploadId, from, PAGE);
    yield* page;
    if (page.length < PAGE) return;
  }
}

/** SHA-256 of the manifest's "hash size" lines: names one content cut one way. */
export async function manifestDigest(db: Db, uploadId: string): Promise<string> {
  const digest = createHash('sha256');
  for await (const entry of manifestEntries(db, uploadId)) digest.update(`${entry.hash} ${entry.size}\n`);
  return digest.digest('hex');
}

/** SHA-256 over the upload's chunks in order, the next few read while one is hashed; `checked`: each chunk against its own hash too. */
export async function wholeHash(db: Db, blobs: Blobs, uploadId: string, checked: boolean): Promise<string> {
  const whole = createHash('sha256');
  const reads: Array<Promise<Uint8Array>> = [];
  const entries = manifestEntries(db, uploadId);
  const readNext = async () => {
    const next = await entries.next();
    if (next.done) return false;
    const read = chunkBytes(blobs, next.value.hash, checked);
    // A read that fails while an earlier one is awaited must not count as unhandled.
    read.catch(() => {});
    reads.push(read);
    return true;
  };
  let more = true;
  while (more && reads.length < PARALLEL) more = await readNext();
  while (reads.length > 0) {
    whole.update(await reads.shift()!);
    if (more) more = await readNext();
  }
  return whole.digest('hex');
}

/**
 * Reads the upload's chunks back in order and checks that they make the declared whole-file
 * hash, so a file's hash (its ETag, and the key of clients' download caches) can be trusted.
 * Each chunk was checked against its own hash when stored, and the whole-file hash covers
 * every byte again, so the chunks are not hashed one by one; only when the whole does not
 * match are they, to tell a chunk damaged in storage (sent again) from a lying upload.
 */
export async function checkWholeHash(db: Db, blobs: Blobs, upload: UploadRow): Promise<void> {
  let actual = await wholeHash(db, blobs, upload.id, false);
  if (actual !== upload.hash) actual = await wholeHash(db, blobs, upload.id, true);
  if (actual !== upload.hash) {
    throw new PodError('invalid', `the chunks make a file whose SHA-256 is ${actual}, not the declared ${upload.hash}; begin the upload again with the right hash`, { actual });
  }
}
