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

/** Where a small file goes, and how (type, overwrite). */
type SmallTarget = Omit<OpInput<'files.upload.put'>, 'size' | 'hash' | 'chunks' | 'vouched' | 'content'>;

/**
 * Makes a small stored body (one whose chunks are `kept`) the file at `target.path` in one
 * transaction (files.upload.put). The chunks are referenced once it commits, so no collector
 * takes them any more; one it removed between its write and the commit is written again from
 * the bytes still held.
 */
export async function commitSmall(deps: GatewayDeps, caller: Caller, target: SmallTarget, body: StoredBody & { kept: Map<string, Uint8Array> }): Promise<FileEntry> {
  const stored = await body.written;
  const { entry } = await askFiles(deps, caller, 'files.upload.put', { ...target, size: body.size, hash: body.hash, chunks: body.manifest, vouched: [...stored.values()] });
  const present = await deps.blobs.has([...stored.keys()]);
  for (const [hash, bytes] of body.kept) if (!present.has(hash)) await deps.blobs.put(hash, bytes, { hashed: true });
  return entry;
}

/**
 * A small file (MAX_INLINE_FILE_BYTES at most) made in one request to the files app with its
 * bytes, which it keeps in the commit's transaction: the gateway writes nothing. `expected`: the
 * hash the client declared, refused (`invalid`, with the actual one) when the bytes differ.
 */
export async function putSmall(deps: GatewayDeps, caller: Caller, target: SmallTarget, bytes: Uint8Array, expected?: string): Promise<FileEntry> {
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (expected !== undefined && hash !== expected) throw new PodError('invalid', `the body's SHA-256 is ${hash}, not ${expected}: the file changed, or the hash is wrong`, { actual: hash });
  const size = bytes.length;
  const content = size > 0 ? { chunks: [{ hash, size }], content: Buffer.from(bytes.buffer, bytes.byteOffset, size).toString('base64') } : { chunks: [] };
  const { entry } = await askFiles(deps, caller, 'files.upload.put', { ...target, size, hash, vouched: [], ...content });
  return entry;
}

/**
 * The body, which must be exactly `size` bytes: more is refused (`too_large`) as soon as it
 * arrives, fewer (a client that stopped) at the end. `what` names it in the error.
 */
export async function readExactly(body: Readable, size: number, what: string): Promise<Uint8Array> {
  const bytes = Buffer.allocUnsafe(size);
  let length = 0;
  try {
    for await (const piece of body as AsyncIterable<Buffer>) {
      if (length + piece.length > size) throw new PodError('too_large', `${what} has ${size} bytes; this body has more`);
      piece.copy(bytes, length);
      length += piece.length;
    }
  } catch (error) {
    if (error instanceof PodError) throw error;
    // The client went away mid-body: no one hears the answer, and it is no fault of the server.
    throw new PodError('invalid', `${what} has ${size} bytes; the client stopped sending after ${length} (${(error as Error).message})`);
  }
  if (length !== size) throw new PodError('invalid', `${what} has ${size} bytes; this body ended after ${length} (truncated)`);
  return bytes;
}
