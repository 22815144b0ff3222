import { PodError, type FileEntry } from '@pod/protocol';
import type { ChunkerOptions } from './chunker.ts';
import { Cutting } from './cutting.ts';
import { sendBytes } from './upload-http.ts';
import { uploadRound } from './upload-round.ts';
import { isUnheld, wholeFileUrl } from './whole-file.ts';
import { openSource, type RandomAccess, type UploadSource } from './source-node.ts';

export interface UploadProgress {
  /** Sending starts while the file is still being hashed: 'hashing' lasts until it is all hashed. */
  phase: 'hashing' | 'sending' | 'committing' | 'done';
  /** The file's size, and the bytes cut and hashed so far. */
  size: number;
  bytesHashed: number;
  /** Chunks cut so far (all of them, once hashed). */
  chunks: number;
  /** Bytes of the chunks the server said it lacks so far: what sending will take, once hashed. */
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

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Rounds of begin, send, commit: a later round only happens when chunks vanished meanwhile (collected). */
const MAX_ROUNDS = 3;

/**
 * Uploads a file, sending only the chunks the server lacks: the file is cut into
 * content-defined chunks and hashed here, the server answers which chunks it needs, and chunks
 * it already holds from someone else are proven (HMAC over the bytes keyed by its nonce)
 * instead of sent. Sending starts while the rest is still being hashed (see uploadRound).
 * Calling it again after an interruption resumes the same upload: chunks that arrived are not
 * sent twice. A file of one chunk takes one request instead (see uploadWhole).
 */
export async function uploadFile(given: UploadOptions): Promise<UploadResult> {
  const { signal } = given;
  const doFetch = given.fetch ?? fetch;
  const options: UploadOptions = signal ? { ...given, fetch: (input, init) => doFetch(input, { ...init, signal }) } : given;
  const source = await openSource(options.source);
  const progress: UploadProgress = { phase: 'hashing', size: source.size, bytesHashed: 0, chunks: 0, bytesToSend: 0, bytesSent: 0, chunksSent: 0, chunksProven: 0 };
  const report = () => options.onProgress?.({ ...progress });
  const cutting = new Cutting(source, options.chunkSizes, (cutBytes) => {
    progress.bytesHashed = cutBytes;
    progress.chunks = cutting.chunks.length;
    if (cutBytes === source.size) progress.phase = 'sending';
    report();
  });
  try {
    // Whether the file is one chunk (one request: uploadWhole) is known once a second is cut, or the file ends.
    await cutting.until(() => cutting.chunks.length > 1);
    signal?.throwIfAborted();
    const result = (entry: FileEntry): UploadResult => {
      progress.phase = 'done';
      report();
      const { phase: _phase, bytesHashed: _hashed, bytesToSend: _toSend, ...counts } = progress;
      return { ...counts, entry };
    };
    // A file of one chunk hashes to that chunk's hash.
    if (cutting.done && cutting.chunks.length <= 1) return result(await uploadWhole(options, source, cutting.chunks[0]?.hash ?? EMPTY_SHA256, progress, report));
    for (let round = 1; ; round++) {
      const entry = await uploadRound({ options, source, cutting, progress, report }).catch((error: unknown) => {
        // Chunks collected between begin and commit: begin again, which asks for them anew.
        if (round < MAX_ROUNDS && error instanceof PodError && error.code === 'conflict' && error.data && ('send' in error.data || 'collected' in error.data)) return undefined;
        throw error;
      });
      if (entry) return result(entry);
    }
  } finally {
    cutting.stop();
    await cutting.settled;
    await source.close();
  }
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
  const { entry } = (await sendBytes(options, url, await source.read(0, source.size))) as { entry: FileEntry };
  progress.bytesSent += source.size;
  progress.chunksSent += progress.chunks;
  progress.phase = 'committing';
  report();
  return entry;
}
