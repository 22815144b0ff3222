import { chunkStream, type Chunk, type ChunkerOptions } from './chunker.ts';
import { nodeSha256 } from './sha256-node.ts';
import type { RandomAccess } from './source-node.ts';

/**
 * A file being cut into chunks and hashed, in the background: an upload sends the manifest and
 * the chunks the server lacks while the rest is still being hashed. Chunks are kept (offsets
 * and hashes, not bytes) as they are cut; `until` waits for enough of them. Done once, shared
 * by every round of an upload. The whole file is not hashed here: the chunks' hashes already
 * name every byte, and the server takes the file's SHA-256 as it stores them (or from them).
 */
export class Cutting {
  readonly chunks: Chunk[] = [];
  /** The first chunk of each hash. */
  readonly byHash = new Map<string, Chunk>();
  done = false;
  /** Settles when the cutting has ended, however. */
  readonly settled: Promise<void>;
  private failure: unknown;
  private stopped = false;
  private waiters: Array<() => void> = [];

  constructor(source: RandomAccess, chunkSizes: Pick<ChunkerOptions, 'minSize' | 'avgSize' | 'maxSize'> | undefined, onChunk: (cutBytes: number) => void) {
    this.settled = this.cut(source, chunkSizes, onChunk);
  }

  /** Bytes cut so far. */
  get bytes(): number {
    const last = this.chunks[this.chunks.length - 1];
    return last ? last.offset + last.length : 0;
  }

  /** Waits until `ready()` holds or every chunk is cut; a failure to read the file is thrown here. */
  async until(ready: () => boolean): Promise<void> {
    while (!ready() && !this.done && this.failure === undefined) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  /** Stops reading the file (the upload failed or was stopped). */
  stop(): void {
    this.stopped = true;
  }

  private async cut(source: RandomAccess, chunkSizes: Pick<ChunkerOptions, 'minSize' | 'avgSize' | 'maxSize'> | undefined, onChunk: (cutBytes: number) => void): Promise<void> {
    try {
      const stream = chunkStream(yielding(source.stream()), { sha256: nodeSha256, hashFile: false, ...chunkSizes });
      for await (const chunk of stream) {
        if (this.stopped) return;
        this.chunks.push(chunk);
        if (!this.byHash.has(chunk.hash)) this.byHash.set(chunk.hash, chunk);
        onChunk(chunk.offset + chunk.length);
        this.wake();
      }
      this.done = true;
    } catch (error) {
      this.failure = error;
    } finally {
      this.wake();
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * The file's pieces, with a turn of the event loop between them: a file read from the page
 * cache arrives faster than it is cut, piece after piece through promises alone, which would
 * keep the request sending chunks meanwhile from running.
 */
async function* yielding(pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const piece of pieces) {
    yield piece;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
