import { MAX_MANIFEST_PAGE, PodError, type ChunkProof, type ClientOpName, type FileEntry, type OpInput, type OpOutput } from '@pod/protocol';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { callOp, toPodError } from '../http.ts';
import { chunkStream, type Chunk, type ChunkerOptions } from './chunker.ts';
import { isUnheld, wholeFileUrl } from './whole-file.ts';
import { nodeSha256 } from './sha256-node.ts';
import { openSource, type RandomAccess, type UploadSource } from './source-node.ts';

export interface UploadProgress {
  phase: 'hashing' | 'sending' | 'committing' | 'done';
  /** The file's size, and the bytes cut and hashed so far. */
  size: number;
  bytesHashed: number;
  /** Chunks in the file (known once hashed). */
  chunks: number;
  /** Bytes of the chunks the server lacks (known once it answered): what sending will take. */
  bytesToSend: number;
  /** Chunk bytes sent to the server, and how many chunks: only what it lacked. */
  bytesSent: number;
  chunksSent: number;
  /** Chunks the server already held, for which a proof of possession was sent instead. */
  chunksProven: number;
}

export interface UploadOptions {
  server: string;
  token: string;
  /** Where the file goes in the pod, such as "/docs/report.pdf"; missing folders are created. */
  path: string;
  /** A local file's path, bytes, or a stream (spooled to a temporary file first). */
  source: UploadSource;
  /** The content type; by default the server derives it from the name. */
  type?: string;
  /** Make a new version of an existing file (the default) rather than refuse. */
  overwrite?: boolean;
  /** Chunks sent at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: UploadProgress) => void;
  /** Other chunk sizes, for tests; every client of a pod should cut files the same way. */
  chunkSizes?: Pick<ChunkerOptions, 'minSize' | 'avgSize' | 'maxSize'>;
  fetch?: typeof fetch;
  /** Stops the upload (it rejects with the signal's reason); calling uploadFile again resumes it. */
  signal?: AbortSignal;
}

export interface UploadResult extends Omit<UploadProgress, 'phase' | 'bytesHashed' | 'bytesToSend'> {
  entry: FileEntry;
}

/** Rounds of begin, send, commit: a later round only happens when chunks vanished meanwhile (collected). */
const MAX_ROUNDS = 3;
const RETRIES = 5;

/**
 * Uploads a file, sending only the chunks the server lacks: the file is cut into
 * content-defined chunks and hashed here, the server answers which chunks it needs, and chunks
 * it already holds from someone else are proven (HMAC over the bytes keyed by its nonce)
 * instead of sent. Calling it again after an interruption resumes the same upload: chunks that
 * arrived are not sent twice. A file of one chunk takes one request instead (see uploadWhole).
 */
export async function uploadFile(given: UploadOptions): Promise<UploadResult> {
  const { signal } = given;
  const doFetch = given.fetch ?? fetch;
  const options: UploadOptions = signal ? { ...given, fetch: (input, init) => doFetch(input, { ...init, signal }) } : given;
  const source = await openSource(options.source);
  try {
    const progress: UploadProgress = { phase: 'hashing', size: source.size, bytesHashed: 0, chunks: 0, bytesToSend: 0, bytesSent: 0, chunksSent: 0, chunksProven: 0 };
    const report = () => options.onProgress?.({ ...progress });
    const { chunks, hash } = await cutAndHash(source, options, progress, report);
    progress.chunks = chunks.length;
    if (chunks.length <= 1) {
      const entry = await uploadWhole(options, source, hash, progress, report);
      progress.phase = 'done';
      report();
      const { phase: _phase, bytesHashed: _hashed, bytesToSend: _toSend, ...counts } = progress;
      return { ...counts, entry };
    }
    for (let round = 1; ; round++) {
      const entry = await uploadRound(options, source, chunks, hash, progress, report).catch((error: unknown) => {
        // Chunks collected between begin and commit: begin again, which asks for them anew.
        if (round < MAX_ROUNDS && error instanceof PodError && error.code === 'conflict' && error.data && ('send' in error.data || 'collected' in error.data)) return undefined;
        throw error;
      });
      if (!entry) continue;
      progress.phase = 'done';
      report();
      const { phase: _phase, bytesHashed: _hashed, bytesToSend: _toSend, ...counts } = progress;
      return { ...counts, entry };
    }
  } finally {
    await source.close();
  }
}

async function cutAndHash(source: RandomAccess, options: UploadOptions, progress: UploadProgress, report: () => void): Promise<{ chunks: Chunk[]; hash: string }> {
  const stream = chunkStream(source.stream(), { sha256: nodeSha256, ...options.chunkSizes });
  const chunks: Chunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    progress.bytesHashed = chunk.offset + chunk.length;
    report();
  }
  return { chunks, hash: stream.file!.hash };
}

/**
 * A file of one chunk (or none), in one request: PUT /v1/files/content. First without a body,
 * which makes the file at once when the pod holds these bytes for this user already (a file
 * uploaded again sends nothing), then, when it does not, with the bytes: one request either way
 * for the server to commit.
 */
async function uploadWhole(options: UploadOptions, source: RandomAccess, hash: string, progress: UploadProgress, report: () => void): Promise<FileEntry> {
  const url = `${options.server.replace(/\/$/, '')}${wholeFileUrl({ path: options.path, size: source.size, hash, type: options.type, overwrite: options.overwrite })}`;
  if (source.size > 0) {
    const held = await sendBytes(options, url, undefined).catch((error: unknown) => {
      if (isUnheld(error)) return undefined;
      throw error;
    });
    if (held) return (held as { entry: FileEntry }).entry;
  }
  progress.phase = 'sending';
  progress.bytesToSend = source.size;
  report();
  const { entry } = (await sendBytes(options, url, await source.read(0, source.size)).catch((error: unknown) => {
    if (error instanceof PodError && error.code === 'invalid' && error.data?.actual !== undefined) throw fileChanged();
    throw error;
  })) as { entry: FileEntry };
  progress.bytesSent += source.size;
  progress.chunksSent += progress.chunks;
  progress.phase = 'committing';
  report();
  return entry;
}

async function uploadRound(options: UploadOptions, source: RandomAccess, chunks: Chunk[], hash: string, progress: UploadProgress, report: () => void): Promise<FileEntry> {
  // One id per operation, kept across retries: the server stores a retried write's effects once.
  const op = <N extends ClientOpName>(name: N, body: OpInput<N>): Promise<OpOutput<N>> => {
    const requestId = randomUUID();
    return retrying(options.signal, () => callOp(options.server, options.token, name, body, { fetch: options.fetch, requestId }));
  };
  const refs = chunks.map((chunk) => ({ hash: chunk.hash, size: chunk.length }));
  const begun = await op('files.upload.begin', {
    path: options.path,
    size: source.size,
    hash,
    chunkCount: chunks.length,
    chunks: refs.slice(0, MAX_MANIFEST_PAGE),
    ...(options.type ? { type: options.type } : {}),
    ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
  });
  const send = new Set<string>();
  const prove = new Set<string>();
  const note = (needs: Pick<OpOutput<'files.upload.begin'>, 'send' | 'prove'>) => {
    for (const index of needs.send) send.add(chunks[index]!.hash);
    for (const index of needs.prove) prove.add(chunks[index]!.hash);
  };
  note(begun);
  for (let from = MAX_MANIFEST_PAGE; from < chunks.length; from += MAX_MANIFEST_PAGE) {
    note(await op('files.upload.manifest', { uploadId: begun.uploadId, from, chunks: refs.slice(from, from + MAX_MANIFEST_PAGE) }));
  }
  for (const hash of send) prove.delete(hash);
  const first = new Map<string, Chunk>();
  for (const chunk of chunks) if (!first.has(chunk.hash)) first.set(chunk.hash, chunk);

  // What each chunk PUT answered: the proof, for the commit, that this client sent those bytes.
  const receipts = new Map<string, string>();
  // A page of them goes ahead of the commit as soon as it is full: the server records those
  // chunks, and the upload stays open however long the sending takes.
  let recorded = Promise.resolve();
  const recordPage = () => {
    const page = [...receipts].slice(0, MAX_MANIFEST_PAGE).map(([hash, proof]) => ({ hash, proof }));
    for (const { hash } of page) receipts.delete(hash);
    recorded = recorded.then(() => op('files.upload.prove', { uploadId: begun.uploadId, proofs: page }).then(() => {}));
    return recorded;
  };
  const sendChunk = async (chunkHash: string) => {
    const chunk = first.get(chunkHash)!;
    const url = `${options.server.replace(/\/$/, '')}/v1/files/uploads/${begun.uploadId}/chunks/${chunk.hash}`;
    const { proof } = (await sendBytes(options, url, await source.read(chunk.offset, chunk.length)).catch((error: unknown) => {
      // The server checks every chunk against its hash: bytes that no longer match changed since hashing.
      if (error instanceof PodError && error.code === 'invalid' && error.data?.actual !== undefined) throw fileChanged();
      throw error;
    })) as { proof: string };
    receipts.set(chunkHash, proof);
    progress.bytesSent += chunk.length;
    progress.chunksSent++;
    report();
    if (receipts.size >= MAX_MANIFEST_PAGE) await recordPage();
  };
  progress.phase = 'sending';
  progress.bytesToSend = progress.bytesSent + [...send].reduce((sum, chunkHash) => sum + first.get(chunkHash)!.length, 0);
  report();
  await inParallel([...send], options.concurrency ?? 4, options.signal, (chunkHash) => sendChunk(chunkHash));
  await recorded;
  const proofs = new Map<string, string>();
  await inParallel([...prove], options.concurrency ?? 4, options.signal, async (chunkHash) => {
    const chunk = first.get(chunkHash)!;
    proofs.set(chunkHash, createHmac('sha256', begun.nonce).update(await source.read(chunk.offset, chunk.length)).digest('hex'));
  });
  progress.phase = 'committing';
  report();
  for (let attempt = 1; ; attempt++) {
    try {
      const list: ChunkProof[] = [...receipts, ...proofs].map(([hash, proof]) => ({ hash, proof }));
      for (let start = MAX_MANIFEST_PAGE; start < list.length; start += MAX_MANIFEST_PAGE) {
        await op('files.upload.prove', { uploadId: begun.uploadId, proofs: list.slice(start, start + MAX_MANIFEST_PAGE) });
      }
      const { entry } = await op('files.upload.commit', { uploadId: begun.uploadId, ...(list.length > 0 ? { proofs: list.slice(0, MAX_MANIFEST_PAGE) } : {}) });
      progress.chunksProven += proofs.size;
      return entry;
    } catch (error) {
      // A wrong proof: the server's bytes are right, so the file's must have changed since hashing.
      if (error instanceof PodError && error.code === 'forbidden') await checkUnchanged(source, [...proofs.keys()].map((h) => first.get(h)!));
      // The server's copy of a chunk turned out damaged: it asks for the bytes, which heals it.
      const resend = error instanceof PodError && error.code === 'conflict' ? error.data?.resend : undefined;
      if (attempt >= MAX_ROUNDS || !Array.isArray(resend)) throw error;
      for (const chunkHash of resend as string[]) {
        if (!first.has(chunkHash)) throw error;
        proofs.delete(chunkHash);
        await sendChunk(chunkHash);
      }
    }
  }
}

/**
 * Chunks are read again to be sent or proven without being hashed again: the server checks
 * every sent chunk against its hash and every proof against its own bytes, so a file that
 * changed since it was hashed is refused there, never stored half old, half new. These turn
 * such a refusal into the reason.
 */
const fileChanged = () => new PodError('conflict', 'the file changed while it was being uploaded; upload it again');

async function checkUnchanged(source: RandomAccess, chunks: readonly Chunk[]): Promise<void> {
  for (const chunk of chunks) {
    if (createHash('sha256').update(await source.read(chunk.offset, chunk.length)).digest('hex') !== chunk.hash) throw fileChanged();
  }
}

/** PUTs bytes (a chunk, a whole file; none: a file the pod holds) and answers the server's JSON. */
async function sendBytes(options: UploadOptions, url: string, bytes: Uint8Array | undefined): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  return retrying(options.signal, async () => {
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'PUT',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/octet-stream' },
        body: (bytes ?? new Uint8Array()) as Uint8Array<ArrayBuffer>,
      });
    } catch (error) {
      throw new PodError('unavailable', `cannot reach ${options.server}: ${(error as Error).message}`);
    }
    const json = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok) throw toPodError(json, response.status);
    return json;
  });
}

/** Retries what failed as `unavailable` (a server restarting, a chunk being collected), with backoff; never once stopped. */
async function retrying<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      signal?.throwIfAborted();
      if (!(error instanceof PodError && error.code === 'unavailable') || attempt > RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

async function inParallel<T>(items: readonly T[], limit: number, signal: AbortSignal | undefined, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After one failure the others stop too, instead of sending on for an upload that failed.
    while (next < items.length && !failed) {
      signal?.throwIfAborted();
      await run(items[next++]!).catch((error: unknown) => {
        failed = true;
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
