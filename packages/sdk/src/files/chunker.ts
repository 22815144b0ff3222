import { PodError } from '@pod/protocol';

/**
 * FastCDC content-defined chunking (Xia et al., USENIX ATC 2016 and its 2020 journal version):
 * a gear hash over the bytes, cut where it matches a mask, with "normalized chunking" (a
 * harder mask before the average size, an easier one after) so sizes bunch around the average.
 * Cut points depend only on the bytes, so an edit moves the cuts near it and no others: the
 * chunks of an edited file are mostly the chunks already stored.
 *
 * This file runs in browsers too: no Node API here. SHA-256 comes in through `Sha256Factory`
 * (`nodeSha256` in `sha256-node.ts`).
 *
 * The gear table, masks and default sizes define where every file is cut. Changing any of
 * them changes every chunk of every file, so stored chunks no longer match new uploads; the
 * "cut points never change" test pins them.
 */

export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** Lowercase hex. */
  digest(): string;
}
export type Sha256Factory = () => Sha256;

export interface ChunkerOptions {
  sha256: Sha256Factory;
  /** Bytes; defaults 256 KiB, 1 MiB (a power of two), 4 MiB. Other sizes are for tests. */
  minSize?: number;
  avgSize?: number;
  maxSize?: number;
  /** Also hand out each chunk's bytes (copied; the input pieces may be reused by their producer). */
  withBytes?: boolean;
  /** Hash the whole input too (the default); without, the digest's `hash` is ''. */
  hashFile?: boolean;
}

export interface Chunk {
  offset: number;
  length: number;
  /** SHA-256 of the chunk's bytes, lowercase hex: its blob name on the server. */
  hash: string;
  /** Present when `withBytes` was asked for. */
  bytes?: Uint8Array;
}

export interface FileDigest {
  /** SHA-256 of the whole input, lowercase hex ('' when not asked for: hashFile). */
  hash: string;
  size: number;
  chunks: number;
}

export const CHUNK_MIN = 256 * 1024;
export const CHUNK_AVG = 1024 * 1024;
export const CHUNK_MAX = 4 * 1024 * 1024;

/**
 * 256 random 32-bit values from a fixed seed (mulberry32), signed so that the hot loop stays
 * in int32 arithmetic (`| 0`) from table to hash to mask test.
 */
const GEAR = (() => {
  const table = new Int32Array(256);
  let seed = 0x706f6421; // "pod!"
  for (let i = 0; i < 256; i++) {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    table[i] = t ^ (t >>> 14);
  }
  return table;
})();

/**
 * The top `bits` bits set. The hash shifts left one bit per byte, so its top bits mix the
 * most bytes (bit 31: the last 32); cutting on them makes cut points depend on a 32-byte
 * window, not on the last few bytes alone.
 */
const topBits = (bits: number) => (~0 << (32 - bits)) | 0;

function refuse(message: string): PodError {
  return new PodError('invalid', `chunker: ${message}`);
}

/**
 * Cuts a stream of pieces into chunks. `push` each piece as it arrives (any sizes: the cuts
 * do not depend on them), then `end`.
 */
export class Chunker {
  private readonly min: number;
  private readonly avg: number;
  private readonly max: number;
  /** Normalization level 2: two bits harder before the average size, two bits easier after. */
  private readonly maskSmall: number;
  private readonly maskLarge: number;
  private readonly sha256: Sha256Factory;
  private readonly withBytes: boolean;
  private readonly file: Sha256 | undefined;
  private chunk: Sha256;
  private parts: Uint8Array[] = [];
  /** Bytes of the current chunk seen so far, and the gear hash over them. */
  private length = 0;
  private gear = 0;
  private offset = 0;
  private count = 0;
  private ended = false;

  constructor(options: ChunkerOptions) {
    this.min = options.minSize ?? CHUNK_MIN;
    this.avg = options.avgSize ?? CHUNK_AVG;
    this.max = options.maxSize ?? CHUNK_MAX;
    const bits = Math.log2(this.avg);
    if (!Number.isInteger(bits) || bits < 8 || bits > 28) throw refuse(`avgSize must be a power of two from 256 to 2^28, not ${this.avg}`);
    if (!(Number.isInteger(this.min) && this.min >= 64 && this.min < this.avg)) throw refuse(`minSize must be an integer from 64 to below avgSize, not ${this.min}`);
    if (!(Number.isInteger(this.max) && this.max > this.avg)) throw refuse(`maxSize must be an integer above avgSize, not ${this.max}`);
    this.maskSmall = topBits(bits + 2);
    this.maskLarge = topBits(bits - 2);
    this.sha256 = options.sha256;
    this.withBytes = options.withBytes ?? false;
    this.file = options.hashFile === false ? undefined : this.sha256();
    this.chunk = this.sha256();
  }

  /** Takes the next piece of input; answers the chunks it completed, in order. */
  push(piece: Uint8Array): Chunk[] {
    if (this.ended) throw refuse('push after end');
    if (!(piece instanceof Uint8Array)) throw refuse(`input pieces must be Uint8Array (bytes), not ${typeof piece}`);
    this.file?.update(piece);
    const done: Chunk[] = [];
    for (let start = 0; start < piece.length; ) {
      const cut = this.scan(piece, start);
      const end = cut < 0 ? piece.length : cut;
      this.take(piece, start, end);
      if (cut >= 0) done.push(this.finishChunk());
      start = end;
    }
    return done;
  }

  /** Ends the input: the last chunk (absent when the input was empty or ended on a cut) and the file's digest. */
  end(): { last: Chunk | undefined; file: FileDigest } {
    if (this.ended) throw refuse('end called twice');
    this.ended = true;
    const last = this.length > 0 ? this.finishChunk() : undefined;
    return { last, file: { hash: this.file?.digest() ?? '', size: this.offset, chunks: this.count } };
  }

  /**
   * Where in `data` (from `from` on) the current chunk ends, or -1 when it runs past the
   * piece. The only per-byte work in the chunker: keep it free of calls and allocations.
   */
  private scan(data: Uint8Array, from: number): number {
    // Indexes in `data` where the chunk reaches min, avg and max size.
    const base = this.length - from;
    const n = data.length;
    const minEnd = this.min - base;
    // Below the minimum no cut can happen, so those bytes are not even hashed (FastCDC's skip).
    if (minEnd >= n) return -1;
    let i = minEnd > from ? minEnd : from;
    let h = this.gear;
    const gear = GEAR;
    const avgEnd = this.avg - base;
    let stop = avgEnd < n ? avgEnd : n;
    let mask = this.maskSmall;
    for (; i < stop; i++) {
      h = ((h << 1) + gear[data[i]!]!) | 0;
      if ((h & mask) === 0) return this.cutAt(i + 1);
    }
    const maxEnd = this.max - base;
    stop = maxEnd < n ? maxEnd : n;
    mask = this.maskLarge;
    for (; i < stop; i++) {
      h = ((h << 1) + gear[data[i]!]!) | 0;
      if ((h & mask) === 0) return this.cutAt(i + 1);
    }
    if (i === maxEnd) return this.cutAt(i);
    this.gear = h;
    return -1;
  }

  private cutAt(index: number): number {
    this.gear = 0;
    return index;
  }

  private take(data: Uint8Array, start: number, end: number): void {
    if (start === end) return;
    this.length += end - start;
    const part = data.subarray(start, end);
    this.chunk.update(part);
    if (this.withBytes) this.parts.push(part.slice());
  }

  private finishChunk(): Chunk {
    const chunk: Chunk = { offset: this.offset, length: this.length, hash: this.chunk.digest() };
    if (this.withBytes) chunk.bytes = this.parts.length === 1 ? this.parts[0]! : concat(this.parts, this.length);
    this.chunk = this.sha256();
    this.parts = [];
    this.offset += this.length;
    this.count++;
    this.length = 0;
    return chunk;
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Chunks, as they are cut; `file` is set once the last one has been handed out. */
export interface ChunkStream extends AsyncIterable<Chunk> {
  readonly file: FileDigest | undefined;
}

/** Chunks a stream: a Node Readable, or any iterable or async iterable of byte pieces. */
export function chunkStream(input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: ChunkerOptions): ChunkStream {
  let file: FileDigest | undefined;
  return {
    get file() {
      return file;
    },
    async *[Symbol.asyncIterator]() {
      const chunker = new Chunker(options);
      for await (const piece of input) yield* chunker.push(piece);
      const end = chunker.end();
      if (end.last) yield end.last;
      file = end.file;
    },
  };
}

/** Every chunk of the input and the file's digest, at once. */
export async function chunkAll(input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: ChunkerOptions): Promise<{ chunks: Chunk[]; file: FileDigest }> {
  const stream = chunkStream(input, options);
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks, file: stream.file! };
}
