import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { MAX_MANIFEST_PAGE, PodError, type ChunkProof, type ClientOpName, type FileEntry, type OpInput, type OpOutput } from '@pod/protocol';
import { Chunker, type Chunk, type ChunkerOptions, type Sha256Factory } from './chunker.ts';

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
  /** PUTs one chunk's bytes: `url` is the chunk route, relative to the server. */
  put: (url: string, bytes: Uint8Array) => Promise<void>;
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

  const sendChunk = async (chunkHash: string) => {
    const chunk = first.get(chunkHash)!;
    signal?.throwIfAborted();
    await options.put(`/v1/files/uploads/${begun.uploadId}/chunks/${chunkHash}`, await bytesOf(chunk));
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
  for (let start = MAX_MANIFEST_PAGE; start < proofs.length; start += MAX_MANIFEST_PAGE) {
    await call('files.upload.prove', { uploadId: begun.uploadId, proofs: proofs.slice(start, start + MAX_MANIFEST_PAGE) });
  }
  const commit = (list: ChunkProof[]) => call('files.upload.commit', { uploadId: begun.uploadId, ...(list.length > 0 ? { proofs: list.slice(0, MAX_MANIFEST_PAGE) } : {}) });
  let entry: FileEntry;
  try {
    ({ entry } = await commit(proofs));
  } catch (error) {
    // The server's copy of a chunk turned out damaged: it asks for the bytes, which heals it.
    const resend = error instanceof PodError && error.code === 'conflict' ? error.data?.resend : undefined;
    if (!Array.isArray(resend) || !resend.every((h) => first.has(h as string))) throw error;
    for (const chunkHash of resend as string[]) await sendChunk(chunkHash);
    ({ entry } = await commit(proofs.filter((p) => !resend.includes(p.hash))));
  }
  progress.phase = 'done';
  report();
  return { entry, progress: { ...progress } };
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
