import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { PodError } from '@pod/protocol';
import fc from 'fast-check';
import { chunkAll, Chunker, CHUNK_MAX, CHUNK_MIN, type Chunk, type ChunkerOptions } from '../src/files/chunker.ts';
import { nodeSha256 } from '../src/files/sha256-node.ts';

const MIB = 1024 * 1024;
/** Small sizes so that property runs see many chunks in a few kilobytes. */
const SMALL: ChunkerOptions = { sha256: nodeSha256, minSize: 64, avgSize: 256, maxSize: 1024 };
const DEFAULTS: ChunkerOptions = { sha256: nodeSha256 };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random bytes (xorshift32): the same file on every run and machine. */
function pseudoRandom(bytes: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(bytes / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, bytes);
}

/** The input cut into pieces at the given positions (taken modulo its length). */
function split(data: Uint8Array, positions: number[]): Uint8Array[] {
  const cuts = [...new Set(positions.map((p) => (data.length === 0 ? 0 : p % data.length)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, data.length]) {
    pieces.push(data.subarray(start, cut));
    start = cut;
  }
  return pieces;
}

const cutsOf = (chunks: Chunk[]) => chunks.map(({ offset, length, hash }) => ({ offset, length, hash }));

/** Bytes from a small alphabet, with long runs: the input most likely to run to the maximum size. */
const lowEntropy = fc.array(fc.record({ byte: fc.integer({ min: 0, max: 3 }), run: fc.integer({ min: 1, max: 3000 }) }), { maxLength: 20 })
  .map((runs) => Uint8Array.from(runs.flatMap(({ byte, run }) => Array<number>(run).fill(byte))));
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 20_000 }), lowEntropy);

describe('content-defined chunker', () => {
  it('cuts the same bytes the same way however the stream is split into pieces', async () => {
    await fc.assert(
      fc.asyncProperty(anyBytes, fc.array(fc.nat(), { maxLength: 40 }), async (data, positions) => {
        const whole = await chunkAll([data], SMALL);
        const pieces = await chunkAll(split(data, positions), SMALL);
        assert.deepEqual(cutsOf(pieces.chunks), cutsOf(whole.chunks));
        assert.deepEqual(pieces.file, whole.file);
      }),
      { numRuns: 300 },
    );
    // And at the real sizes, where a cut can fall anywhere in a piece of a few bytes.
    const data = pseudoRandom(6 * MIB, 7);
    const whole = await chunkAll([data], DEFAULTS);
    const positions = Array.from({ length: 3000 }, (_, i) => (i * 2089 + (i % 7) * 13) % data.length);
    assert.deepEqual(cutsOf((await chunkAll(split(data, positions), DEFAULTS)).chunks), cutsOf(whole.chunks));
  });

  it('keeps every chunk between the minimum and maximum size (the last may be shorter)', async () => {
    await fc.assert(
      fc.asyncProperty(anyBytes, async (data) => {
        const { chunks } = await chunkAll([data], SMALL);
        chunks.forEach((chunk, i) => {
          assert.ok(chunk.length <= 1024, `chunk ${i} has ${chunk.length} bytes, over the maximum`);
          if (i < chunks.length - 1) assert.ok(chunk.length >= 64, `chunk ${i} has ${chunk.length} bytes, under the minimum`);
          else assert.ok(chunk.length > 0, 'no empty chunk');
        });
      }),
      { numRuns: 300 },
    );
    const zeros = await chunkAll([new Uint8Array(10 * MIB)], DEFAULTS);
    assert.ok(zeros.chunks.every((chunk) => chunk.length <= CHUNK_MAX));
    const random = await chunkAll([pseudoRandom(16 * MIB, 3)], DEFAULTS);
    assert.ok(random.chunks.slice(0, -1).every((chunk) => chunk.length >= CHUNK_MIN && chunk.length <= CHUNK_MAX));
    const mean = (16 * MIB) / random.chunks.length;
    assert.ok(mean > 0.7 * MIB && mean < 1.5 * MIB, `the mean chunk is ${(mean / MIB).toFixed(2)} MiB, not about 1 MiB`);
  });

  it('hands out chunks that put back together make the input, with their hashes and the file hash', async () => {
    await fc.assert(
      fc.asyncProperty(anyBytes, fc.array(fc.nat(), { maxLength: 20 }), async (data, positions) => {
        const { chunks, file } = await chunkAll(split(data, positions), { ...SMALL, withBytes: true });
        let offset = 0;
        for (const chunk of chunks) {
          assert.equal(chunk.offset, offset);
          assert.equal(chunk.bytes!.length, chunk.length);
          assert.equal(chunk.hash, sha256(chunk.bytes!));
          offset += chunk.length;
        }
        assert.deepEqual(Buffer.concat(chunks.map((chunk) => chunk.bytes!)), Buffer.from(data));
        assert.deepEqual(file, { hash: sha256(data), size: data.length, chunks: chunks.length });
      }),
      { numRuns: 200 },
    );
  });

  it('changes only the chunks around an edit, an insertion or a deletion in a large file', async () => {
    const original = pseudoRandom(16 * MIB, 11);
    const before = (await chunkAll([original], DEFAULTS)).chunks;
    const middle = 8 * MIB + 12345;
    const edited = Uint8Array.from(original);
    edited.set(pseudoRandom(1024, 99), middle);
    const inserted = Buffer.concat([original.subarray(0, middle), pseudoRandom(1024, 98), original.subarray(middle)]);
    const deleted = Buffer.concat([original.subarray(0, middle), original.subarray(middle + 1024)]);
    const known = new Set(before.map((chunk) => chunk.hash));
    for (const [what, data] of [['overwritten', edited], ['inserted', inserted], ['deleted', deleted]] as const) {
      const after = (await chunkAll([data], DEFAULTS)).chunks;
      const fresh = after.filter((chunk) => !known.has(chunk.hash));
      // The chunk holding the change, and at most one neighbour when the change moves a cut.
      assert.ok(fresh.length >= 1 && fresh.length <= 2, `1 KiB ${what}: ${fresh.length} of ${after.length} chunks are new`);
      assert.ok(fresh.every((chunk) => chunk.offset <= middle + 1024 && chunk.offset + chunk.length >= middle - CHUNK_MAX),
        `1 KiB ${what}: the new chunks are near the change`);
    }
  });

  it('never moves its cut points (stored chunks must keep matching new uploads)', async () => {
    const { chunks, file } = await chunkAll([pseudoRandom(12 * MIB, 2024)], DEFAULTS);
    assert.deepEqual(chunks.map((chunk) => chunk.length), PINNED_LENGTHS);
    assert.equal(file.hash, sha256(pseudoRandom(12 * MIB, 2024)));
  });

  it('reads a Node stream, and copies the bytes of pieces their producer reuses', async () => {
    const data = pseudoRandom(3 * MIB, 5);
    const expected = await chunkAll([data], { ...SMALL, minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 });
    const fromStream = await chunkAll(Readable.from(split(data, [100_000, 700_000, 2_000_000]).map((piece) => Buffer.from(piece))), {
      ...SMALL, minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024,
    });
    assert.deepEqual(cutsOf(fromStream.chunks), cutsOf(expected.chunks));

    // One buffer refilled for every piece, as a file reader with a fixed buffer does.
    function* reusing(): Generator<Uint8Array> {
      const buffer = new Uint8Array(1000);
      for (let at = 0; at < 50_000; at += 1000) {
        buffer.set(data.subarray(at, at + 1000));
        yield buffer;
      }
    }
    const { chunks } = await chunkAll(reusing(), { ...SMALL, withBytes: true });
    assert.deepEqual(Buffer.concat(chunks.map((chunk) => chunk.bytes!)), Buffer.from(data.subarray(0, 50_000)));
    assert.ok(chunks.every((chunk) => chunk.hash === sha256(chunk.bytes!)));
  });

  it('refuses sizes it cannot cut by, and misuse, as invalid', () => {
    for (const options of [{ avgSize: 1000 }, { minSize: 2 * MIB }, { maxSize: MIB }, { minSize: 10 }]) {
      assert.throws(() => new Chunker({ sha256: nodeSha256, ...options }), (error: unknown) => error instanceof PodError && error.code === 'invalid');
    }
    const chunker = new Chunker(DEFAULTS);
    chunker.end();
    assert.throws(() => chunker.push(new Uint8Array(1)), /push after end/);
    assert.throws(() => new Chunker(DEFAULTS).push('text' as unknown as Uint8Array), /must be Uint8Array/);
  });
});

/** The chunk sizes of pseudoRandom(12 MiB, 2024) at the default sizes; see the test above. */
const PINNED_LENGTHS = [1460420, 1397201, 1117025, 1158660, 397765, 1203561, 1385528, 1219329, 953472, 1134574, 1155377];
