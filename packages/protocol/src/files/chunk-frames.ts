import { PodError } from '../errors.ts';

/**
 * The body of a chunk batch (`PUT /v1/files/uploads/<uploadId>/chunks`): chunks back to back,
 * each framed as its SHA-256 (32 bytes), its length (4 bytes, big-endian) and its bytes. The
 * length travels so the server can cut the stream without asking anyone; it must still equal
 * what the upload's manifest says, and the bytes must hash to the hash. Browser-safe: no Node API.
 */
export const CHUNK_FRAME_HEADER_BYTES = 36;
/** Chunks one batch may carry: its answer lists a receipt for each. */
export const MAX_BATCH_CHUNKS = 10_000;

const HASH_BYTES = 32;

/** The header to put in front of a chunk's bytes. */
export function chunkFrameHeader(hash: string, length: number): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new PodError('invalid', `a chunk frame names a SHA-256 in lowercase hex, not "${hash.slice(0, 80)}"`);
  if (!Number.isInteger(length) || length < 1 || length > 0xffffffff) throw new PodError('invalid', `a chunk frame holds 1 to 2^32-1 bytes, not ${length}`);
  const header = new Uint8Array(CHUNK_FRAME_HEADER_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) header[i] = parseInt(hash.slice(i * 2, i * 2 + 2), 16);
  new DataView(header.buffer).setUint32(HASH_BYTES, length);
  return header;
}

export interface ChunkFrame {
  hash: string;
  bytes: Uint8Array;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Cuts a chunk batch body into frames as its pieces arrive (any sizes). A frame's bytes are
 * copied out, so the pieces may be reused. A length of 0 or above `maxLength` is refused as
 * soon as its header is read, before its bytes are taken in; a body that ends inside a frame
 * is refused by `end`.
 */
export class ChunkFrameReader {
  private readonly header = new Uint8Array(CHUNK_FRAME_HEADER_BYTES);
  private headerLength = 0;
  private hash = '';
  private bytes: Uint8Array | undefined;
  private filled = 0;
  /** Frames handed out so far. */
  count = 0;

  constructor(private readonly maxLength: number) {}

  push(piece: Uint8Array): ChunkFrame[] {
    const done: ChunkFrame[] = [];
    for (let at = 0; at < piece.length; ) {
      if (!this.bytes) {
        const take = Math.min(CHUNK_FRAME_HEADER_BYTES - this.headerLength, piece.length - at);
        this.header.set(piece.subarray(at, at + take), this.headerLength);
        this.headerLength += take;
        at += take;
        if (this.headerLength === CHUNK_FRAME_HEADER_BYTES) this.startFrame();
        continue;
      }
      const take = Math.min(this.bytes.length - this.filled, piece.length - at);
      this.bytes.set(piece.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.bytes.length) {
        done.push({ hash: this.hash, bytes: this.bytes });
        this.count++;
        this.bytes = undefined;
        this.headerLength = 0;
      }
    }
    return done;
  }

  /** The body ended: refuses one that stopped inside a frame (truncated). */
  end(): void {
    if (this.bytes) throw new PodError('invalid', `the body ended inside chunk ${this.hash}: ${this.filled} of its ${this.bytes.length} bytes came (truncated)`);
    if (this.headerLength > 0) throw new PodError('invalid', `the body ended inside a chunk frame's header (${this.headerLength} of ${CHUNK_FRAME_HEADER_BYTES} bytes; truncated)`);
  }

  private startFrame(): void {
    let hash = '';
    for (let i = 0; i < HASH_BYTES; i++) hash += HEX[this.header[i]!];
    const length = new DataView(this.header.buffer).getUint32(HASH_BYTES);
    if (length === 0) throw new PodError('invalid', `chunk frame ${hash} says 0 bytes; a chunk has at least one`);
    if (length > this.maxLength) throw new PodError('too_large', `chunk frame ${hash} says ${length} bytes; a chunk has at most ${this.maxLength}`);
    this.hash = hash;
    this.bytes = new Uint8Array(length);
    this.filled = 0;
  }
}
