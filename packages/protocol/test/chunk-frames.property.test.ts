import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CHUNK_FRAME_HEADER_BYTES, chunkFrameHeader, ChunkFrameReader, PodError } from '../src/index.ts';

const MAX = 64;
const frame = fc.record({ hash: fc.stringMatching(/^[0-9a-f]{64}$/), bytes: fc.uint8Array({ minLength: 1, maxLength: MAX }) });

function encode(frames: ReadonlyArray<{ hash: string; bytes: Uint8Array }>): Uint8Array {
  return Buffer.concat(frames.flatMap((f) => [chunkFrameHeader(f.hash, f.bytes.length), f.bytes]));
}

/** `body` cut at the given points (any sizes, empty pieces too), as a socket might deliver it. */
function pieces(body: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => body.subarray(start, i < at.length ? at[i] : body.length));
}

function read(reader: ChunkFrameReader, parts: Uint8Array[]): Array<{ hash: string; bytes: Uint8Array }> {
  return parts.flatMap((part) => reader.push(part)).map((f) => ({ hash: f.hash, bytes: new Uint8Array(f.bytes) }));
}

const refusal = (code: string) => (error: unknown) => error instanceof PodError && error.code === code;

describe('chunk frames, by property', () => {
  it('reads back exactly the frames written, however the body is cut into pieces', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (frames, cuts) => {
        const reader = new ChunkFrameReader(MAX);
        const got = read(reader, pieces(encode(frames), cuts));
        reader.end();
        assert.deepEqual(got, frames.map((f) => ({ hash: f.hash, bytes: new Uint8Array(f.bytes) })));
        assert.equal(reader.count, frames.length);
      }),
    );
  });

  it('refuses a body that ends inside a frame, and hands out only the whole frames before it', () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 6 }), fc.nat(), fc.array(fc.nat(), { maxLength: 6 }), (frames, cut, cuts) => {
        const body = encode(frames);
        const length = cut % body.length;
        const reader = new ChunkFrameReader(MAX);
        const got = read(reader, pieces(body.subarray(0, length), cuts));
        // Frames wholly inside the first `length` bytes, and no other.
        let end = 0;
        const whole = frames.filter((f) => (end += CHUNK_FRAME_HEADER_BYTES + f.bytes.length) <= length);
        assert.deepEqual(got.map((f) => f.hash), whole.map((f) => f.hash));
        if (length === whole.reduce((sum, f) => sum + CHUNK_FRAME_HEADER_BYTES + f.bytes.length, 0)) reader.end();
        else assert.throws(() => reader.end(), refusal('invalid'));
      }),
    );
  });

  it('refuses a frame of no bytes or of more than the most, as soon as its header is read', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), fc.oneof(fc.constant(0), fc.integer({ min: MAX + 1, max: 0xffffffff })), (hash, length) => {
        const header = new Uint8Array(CHUNK_FRAME_HEADER_BYTES);
        header.set(Buffer.from(hash, 'hex'));
        new DataView(header.buffer).setUint32(32, length);
        assert.throws(() => new ChunkFrameReader(MAX).push(header), refusal(length === 0 ? 'invalid' : 'too_large'));
      }),
    );
  });

  it('writes headers only for a SHA-256 in lowercase hex and a length that fits', () => {
    assert.throws(() => chunkFrameHeader('ABC', 1), refusal('invalid'));
    assert.throws(() => chunkFrameHeader('0'.repeat(64), 0), refusal('invalid'));
    assert.throws(() => chunkFrameHeader('0'.repeat(64), 2 ** 32), refusal('invalid'));
  });
});
