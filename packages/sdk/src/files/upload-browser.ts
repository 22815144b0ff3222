import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { MAX_MANIFEST_PAGE, PodError, type ChunkProof, type ClientOpName, type FileEntry, type OpInput, type OpOutput } from '@pod/protocol';
import { Chunker, type Chunk, type ChunkerOptions, type Sha256Factory } from './chunker.ts';
import { wholeFileUrl } from './whole-file.ts';

/**
 * Uploads from a browser, the same protocol as upload-node.ts: the file is cut into
 * content-defined chunks (the same FastCDC cuts, so the same chunks as every other client),
 * hashed with WebCrypto, and only the chunks the server lacks are sent; the ones it holds are
 * proven (HMAC keyed by its nonce). An upload that stopped (a closed tab, a reload) resumes when
 * the same bytes are uploaded to the same path again: `files.upload.begin` answers the open
 * upload, and asks only for the chunks that never arrived.
 */

export interface BrowserUploadProgress {
  phase: 'hashing' | 'sending' | 'committing' | 'done';
  size: number;
  chunks: number;
  /** Chunks the server asked for in this run, and how many of them have been sent. */
  chunksToSend: number;
  chunksSent: number;
  /** Bytes the server asked for in this run, and how many have been sent. */
  bytesToSend: number;
  bytesSent: number;
  /** Chunks the server already held (from an earlier, interrupted run or from anyone), proven instead of sent. */
  chunksProven: number;
  /** The open upload, once begun: kept by callers that offer to resume after a reload. */
  uploadId?: string;
}

/** An operation, over whatever carries them (the pod application's socket). */
export type CallOp = <N extends ClientOpName>(name: N, body: OpInput<N>) => Promise<OpOutput<N>>;

export interface BrowserUploadOptions {
  /** The file's bytes: a File from a picker or a drop, or any Blob. */
  blob: Blob;
  /** Where it goes in the pod, such as "/docs/report.pdf". */
  path: string;
  call: CallOp;
  /** PUTs bytes (a chunk's; a small file's, or none) to `url`, relative to the server, and answers the server's JSON. */
  put: (url: string, bytes: Uint8Array) => Promise<unknown>;
  type?: string;
  overwrite?: boolean;
  /** Chunks sent at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: BrowserUploadProgress) => void;
  /** Other chunk sizes, for tests; every client of a pod should cut files the same way. */
  chunkSizes?: Pick<ChunkerOptions, 'minSize' | 'avgSize' | 'maxSize'>;
  signal?: AbortSignal;
}

/**
 * SHA-256 fed a piece at a time, as the chunker needs it: WebCrypto hashes only whole buffers,
 * which would mean holding the whole file in memory to hash it.
 */
const incrementalSha256: Sha256Factory = () => {
  const hash = sha256.create();
  return { update: (bytes) => hash.update(bytes), digest: () => bytesToHex(hash.digest()) };
};

/** How much of the file is read at once while cutting and hashing it. */
const PIECE = 4 * 1024 * 1024;

const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

async function read(blob: Blob, offset: number, length: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
}

/**
 * Uploads `blob` to `path`, reading it a slice at a time (File.slice): once, piece by piece, to
 * cut and hash it, then each chunk the server asks for or wants proven. Memory stays at a few
 * pieces and chunks whatever the file's size.
 */
export async function uploadBlob(options: BrowserUploadOptions): Promise<{ entry: FileEntry; progress: BrowserUploadProgress }> {
  const { signal } = options;
  const progress: BrowserUploadProgress = { phase: 'hashing', size: options.blob.size, chunks: 0, chunksToSend: 0, chunksSent: 0, bytesToSend: 0, bytesSent: 0, chunksProven: 0 };
  const report = () => options.onProgress?.({ ...progress });
  report();
  const { blob } = options;
  const chunker = new Chunker({ sha256: incrementalSha256, ...options.chunkSizes });
  const chunks: Chunk[] = [];
  for (let offset = 0; offset < blob.size; offset += PIECE) {
    signal?.throwIfAborted();
    chunks.push(...chunker.push(await read(blob, offset, PIECE)));
  }
  const end = chunker.end();
  if (end.last) chunks.push(end.last);
  const { hash } = end.file;
  progress.chunks = chunks.length;
  signal?.throwIfAborted();

  if (chunks.length <= 1) {
    // One chunk is at most a few MiB: it goes in one request, read whole.
    const entry = await uploadWhole(options, await read(blob, 0, blob.size), hash, progress, report);
    progress.phase = 'done';
    report();
    return { entry, progress: { ...progress } };
  }

  const call: CallOp = (name, body) => {
    signal?.throwIfAborted();
    return options.call(name, body);
  };
  const refs = chunks.map((chunk) => ({ hash: chunk.hash, size: chunk.length }));
  const begun = await call('files.upload.begin', {
    path: options.path,
    size: blob.size,
    hash,
    chunkCount: chunks.length,
    chunks: refs.slice(0, MAX_MANIFEST_PAGE),
    ...(options.type ? { type: options.type } : {}),
    ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
  });
  progress.uploadId = begun.uploadId;
  const send = new Set<string>();
  const prove = new Set<string>();
  const note = (needs: { send: number[]; prove: number[] }) => {
    for (const index of needs.send) send.add(chunks[index]!.hash);
    for (const index of needs.prove) prove.add(chunks[index]!.hash);
  };
  note(begun);
  for (let from = MAX_MANIFEST_PAGE; from < chunks.length; from += MAX_MANIFEST_PAGE) {
    note(await call('files.upload.manifest', { uploadId: begun.uploadId, from, chunks: refs.slice(from, from + MAX_MANIFEST_PAGE) }));
  }
  for (const chunkHash of send) prove.delete(chunkHash);
  const first = new Map<string, Chunk>();
  for (const chunk of chunks) if (!first.has(chunk.hash)) first.set(chunk.hash, chunk);
  const bytesOf = (chunk: Chunk) => read(blob, chunk.offset, chunk.length);

  // What each chunk PUT answered: the proof, for the commit, that this browser sent those bytes.
  const receipts = new Map<string, string>();
  const sendChunk = async (chunkHash: string) => {
    const chunk = first.get(chunkHash)!;
    signal?.throwIfAborted();
    const { proof } = (await options.put(`/v1/files/uploads/${begun.uploadId}/chunks/${chunkHash}`, await bytesOf(chunk))) as { proof: string };
    receipts.set(chunkHash, proof);
    progress.bytesSent += chunk.length;
    progress.chunksSent++;
    report();
  };
  progress.phase = 'sending';
  progress.chunksToSend = send.size;
  progress.bytesToSend = [...send].reduce((sum, chunkHash) => sum + first.get(chunkHash)!.length, 0);
  progress.chunksProven = chunks.length > 0 ? new Set(chunks.map((c) => c.hash)).size - send.size : 0;
  report();
  await inParallel([...send], options.concurrency ?? 4, sendChunk);

  const proofKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(begun.nonce), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const proofs: ChunkProof[] = [];
  for (const chunkHash of prove) {
    signal?.throwIfAborted();
    proofs.push({ hash: chunkHash, proof: hex(await crypto.subtle.sign('HMAC', proofKey, (await bytesOf(first.get(chunkHash)!)) as Uint8Array<ArrayBuffer>)) });
  }
  progress.phase = 'committing';
  report();
  const sent = () => [...receipts].map(([chunkHash, proof]) => ({ hash: chunkHash, proof }));
  const commit = async (list: ChunkProof[]) => {
    for (let start = MAX_MANIFEST_PAGE; start < list.length; start += MAX_MANIFEST_PAGE) {
      await call('files.upload.prove', { uploadId: begun.uploadId, proofs: list.slice(start, start + MAX_MANIFEST_PAGE) });
    }
    return call('files.upload.commit', { uploadId: begun.uploadId, ...(list.length > 0 ? { proofs: list.slice(0, MAX_MANIFEST_PAGE) } : {}) });
  };
  let entry: FileEntry;
  try {
    ({ entry } = await commit([...sent(), ...proofs]));
  } catch (error) {
    // The server's copy of a chunk turned out damaged or gone: it asks for the bytes, which heals it.
    const resend = error instanceof PodError && error.code === 'conflict' ? error.data?.resend : undefined;
    if (!Array.isArray(resend) || !resend.every((h) => first.has(h as string))) throw error;
    for (const chunkHash of resend as string[]) await sendChunk(chunkHash);
    ({ entry } = await commit([...sent(), ...proofs.filter((p) => !resend.includes(p.hash))]));
  }
  progress.phase = 'done';
  report();
  return { entry, progress: { ...progress } };
}

/**
 * A file of one chunk (or none), in one request: PUT /v1/files/content with its bytes. Unlike
 * the Node client (uploadWhole in upload-node.ts) it does not first try without them: a
 * browser reports every refused request in its console, and it sends a few MiB at most.
 */
async function uploadWhole(options: BrowserUploadOptions, bytes: Uint8Array, hash: string, progress: BrowserUploadProgress, report: () => void): Promise<FileEntry> {
  options.signal?.throwIfAborted();
  progress.phase = 'sending';
  progress.chunksToSend = progress.chunks;
  progress.bytesToSend = bytes.length;
  report();
  const url = wholeFileUrl({ path: options.path, size: bytes.length, hash, type: options.type, overwrite: options.overwrite });
  const { entry } = (await options.put(url, bytes)) as { entry: FileEntry };
  progress.chunksSent = progress.chunks;
  progress.bytesSent = bytes.length;
  return entry;
}

async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      await run(items[next++]!).catch((error: unknown) => {
        failed = true;
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
