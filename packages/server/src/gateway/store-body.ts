import { PodError, type ChunkRef, type FileEntry, type OpInput } from '@pod/protocol';
import { Chunker, type Chunk } from '@pod/sdk/chunker';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Caller } from '../messenger/messenger.ts';
import { askFiles } from './ask-files.ts';
import type { GatewayDeps } from './deps.ts';

/** Chunks hashed and written to the blob store at once while the body streams in: bounds memory to a few chunks. */
const PARALLEL_PUTS = 6;
/** A body up to this size is kept in memory until its commit, so that it can take the one-transaction path (commitSmall). */
export const SMALL_BODY_BYTES = 16 * 1024 * 1024;

/** The chunker's own hashing is left out: chunks are hashed on the thread pool (see storeBody). */
const noHash = () => ({ update: () => {}, digest: () => '' });

export type Stored = { hash: string; size: number; storedBytes: number };

export interface StoredBody {
  manifest: ChunkRef[];
  hash: string;
  size: number;
  /** Settles once every chunk is in the blob store: each distinct chunk, with what it takes there. */
  written: Promise<Map<string, Stored>>;
  /** The chunks' bytes, by hash, for a small body (SMALL_BODY_BYTES). */
  kept: Map<string, Uint8Array> | undefined;
}

/**
 * Streams a body the gateway reads whole (a WebDAV PUT, a small file's PUT) through the FastCDC
 * chunker into the blob store. The main thread only cuts (the gear hash) and hashes the whole
 * file; each chunk is hashed on the thread pool (WebCrypto) and written there, a few at a time,
 * so one upload uses both cores. Answers once every chunk's hash is known. More than `limit`
 * bytes are refused as soon as they arrive.
 */
export async function storeBody(deps: GatewayDeps, body: Readable, limit = Number.MAX_SAFE_INTEGER): Promise<StoredBody> {
  const chunker = new Chunker({ sha256: noHash, withBytes: true });
  const whole = createHash('sha256');
  const manifest: ChunkRef[] = [];
  const stored = new Map<string, Stored>();
  const hashing: Array<Promise<void>> = [];
  const writing = new Set<Promise<void>>();
  let kept: Map<string, Uint8Array> | undefined = new Map();
  let keptBytes = 0;
  let length = 0;
  let failure: unknown;
  const take = (chunk: Chunk) => {
    const entry = { hash: '', size: chunk.length };
    manifest.push(entry);
    const bytes = chunk.bytes!;
    const job = crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>).then(async (digest) => {
      entry.hash = Buffer.from(digest).toString('hex');
      if (stored.has(entry.hash)) return;
      keptBytes += bytes.length;
      if (keptBytes > SMALL_BODY_BYTES) kept = undefined;
      kept?.set(entry.hash, bytes);
      stored.set(entry.hash, { hash: entry.hash, size: entry.size, storedBytes: 0 });
      stored.get(entry.hash)!.storedBytes = await storeChunk(deps, entry.hash, bytes);
    });
    const tracked = job.catch((error: unknown) => void (failure ??= error));
    hashing.push(job.then(() => {}, () => {}));
    writing.add(tracked);
    void tracked.finally(() => writing.delete(tracked));
  };
  try {
    for await (const piece of body as AsyncIterable<Buffer>) {
      length += piece.length;
      if (length > limit) throw new PodError('too_large', `this body has more than the ${limit} bytes it may have`);
      whole.update(piece);
      for (const chunk of chunker.push(piece)) take(chunk);
      while (writing.size >= PARALLEL_PUTS) await Promise.race(writing);
      if (failure) break;
    }
  } catch (error) {
    await Promise.allSettled(writing);
    if (error instanceof PodError) throw error;
    throw new PodError('invalid', `the request body could not be read (${(error as Error).message})`);
  }
  const end = chunker.end();
  if (end.last) take(end.last);
  const written = (async () => {
    await Promise.allSettled([...writing]);
    while (writing.size > 0) await Promise.allSettled([...writing]);
    if (failure) throw failure;
    return stored;
  })();
  // Hashes are known before the writes end; a failed write fails the upload through `written`.
  await Promise.all(hashing);
  if (failure) {
    await written.catch(() => {});
    throw failure;
  }
  written.catch(() => {});
  return { manifest, hash: whole.digest('hex'), size: end.file.size, written, kept };
}

async function storeChunk(deps: GatewayDeps, hash: string, bytes: Uint8Array): Promise<number> {
  await deps.blobs.put(hash, bytes, { hashed: true });
  return (await deps.blobs.stat(hash))?.storedBytes ?? bytes.length;
}

/**
 * Makes a small stored body (one whose chunks are `kept`) the file at `target.path` in one
 * transaction (files.upload.put). The chunks are referenced once it commits, so no collector
 * takes them any more; one it removed between its write and the commit is written again from
 * the bytes still held.
 */
export async function commitSmall(deps: GatewayDeps, caller: Caller, target: Omit<OpInput<'files.upload.put'>, 'size' | 'hash' | 'chunks' | 'vouched'>, body: StoredBody & { kept: Map<string, Uint8Array> }): Promise<FileEntry> {
  const stored = await body.written;
  const { entry } = await askFiles(deps, caller, 'files.upload.put', { ...target, size: body.size, hash: body.hash, chunks: body.manifest, vouched: [...stored.values()] });
  const present = await deps.blobs.has([...stored.keys()]);
  for (const [hash, bytes] of body.kept) if (!present.has(hash)) await deps.blobs.put(hash, bytes, { hashed: true });
  return entry;
}
