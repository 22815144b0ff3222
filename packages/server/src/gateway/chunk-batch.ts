import { ChunkFrameReader, MAX_BATCH_CHUNKS, MAX_CHUNK_BYTES, MAX_MANIFEST_PAGE, PodError, type OpOutput } from '@pod/protocol';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Caller } from '../messenger/messenger.ts';
import { askFiles } from './ask-files.ts';
import type { GatewayDeps } from './deps.ts';

/** Chunks hashed and written to the blob store at once while the body streams in (as storeBody does): bounds memory to a few chunks. */
const PARALLEL_PUTS = 6;

export type Receipt = OpOutput<'files.upload.expect'>['chunks'][number];

/**
 * Stores the chunks of a batch body (frames, see chunk-frames.ts) for the caller's open upload
 * and answers each one's receipt, in the body's order. The chunks are stored a few at a time
 * while the body streams in; each is first checked against the upload's manifest (asked of the
 * files app for all the frames that arrived meanwhile at once, not a round trip per chunk) for
 * its length, then against its hash by the blob store. The first refusal ends the request:
 * chunks stored before it stay stored (the upload's status answers them as held, to prove),
 * nothing is recorded. `store` writes one chunk's bytes (files-http.ts's storeChunk).
 *
 * The bytes are also hashed whole, in order, and the files app told (files.upload.streamed):
 * when the batch carried the upload's whole manifest, the commit needs no reading back to
 * check the file's hash, which the client names only once it has hashed the whole file.
 */
export async function storeBatch(deps: GatewayDeps, caller: Caller, uploadId: string, body: Readable, store: (hash: string, bytes: Uint8Array) => Promise<void>): Promise<Receipt[]> {
  const reader = new ChunkFrameReader(MAX_CHUNK_BYTES);
  const expect = batchedExpect(deps, caller, uploadId);
  const receipts: Receipt[] = [];
  const content = createHash('sha256');
  const manifest = createHash('sha256');
  const writing = new Set<Promise<void>>();
  let failure: unknown;
  const take = (hash: string, bytes: Uint8Array) => {
    if (reader.count > MAX_BATCH_CHUNKS) throw new PodError('too_large', `a batch carries at most ${MAX_BATCH_CHUNKS} chunks; send the rest in another`);
    content.update(bytes);
    manifest.update(`${hash} ${bytes.length}\n`);
    const index = receipts.length;
    receipts.length++;
    const job = expect(hash).then(async (expected) => {
      if (expected.size !== bytes.length) {
        throw new PodError(bytes.length > expected.size ? 'too_large' : 'invalid', `chunk ${hash} has ${expected.size} bytes; its frame has ${bytes.length}`);
      }
      await store(hash, bytes);
      receipts[index] = expected;
    });
    const tracked: Promise<void> = job.catch((error: unknown) => void (failure ??= error)).finally(() => writing.delete(tracked));
    writing.add(tracked);
  };
  try {
    for await (const piece of body as AsyncIterable<Buffer>) {
      for (const frame of reader.push(piece)) take(frame.hash, frame.bytes);
      while (writing.size >= PARALLEL_PUTS) await Promise.race(writing);
      if (failure) break;
    }
    if (!failure) reader.end();
  } catch (error) {
    await Promise.allSettled([...writing]);
    if (error instanceof PodError) throw error;
    // The client went away mid-body: no one hears the answer, and it is no fault of the server.
    throw new PodError('invalid', `the batch body could not be read after ${reader.count} chunk(s) (${(error as Error).message})`);
  }
  while (writing.size > 0) await Promise.allSettled([...writing]);
  if (failure) throw failure;
  if (receipts.length > 0) await askFiles(deps, caller, 'files.upload.streamed', { uploadId, entries: receipts.length, manifest: manifest.digest('hex'), content: content.digest('hex') });
  return receipts;
}

/**
 * Asks files.upload.expect for chunks as their frames arrive: the frames that arrive while one
 * question is out go together in the next, so a batch costs a few messenger round trips, which
 * overlap with reading and storing the bytes.
 */
function batchedExpect(deps: GatewayDeps, caller: Caller, uploadId: string): (hash: string) => Promise<Receipt> {
  const queue: Array<{ hash: string; resolve: (receipt: Receipt) => void; reject: (error: unknown) => void }> = [];
  let asking = false;
  const ask = async () => {
    while (queue.length > 0) {
      const waiting = queue.splice(0, MAX_MANIFEST_PAGE);
      try {
        const { chunks } = await askFiles(deps, caller, 'files.upload.expect', { uploadId, hashes: waiting.map((w) => w.hash) });
        waiting.forEach((w, index) => w.resolve(chunks[index]!));
      } catch (error) {
        for (const w of waiting) w.reject(error);
      }
    }
    asking = false;
  };
  return (hash) =>
    new Promise((resolve, reject) => {
      queue.push({ hash, resolve, reject });
      if (asking) return;
      asking = true;
      // After the frames of the piece being read have queued too.
      queueMicrotask(() => void ask());
    });
}
