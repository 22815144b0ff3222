import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompress, constants as zlib } from 'node:zlib';
import { MAX_INLINE_FILE_BYTES, PodError } from '@pod/protocol';
import type { Logger } from 'pino';
import { readValue, removeValue, valueKeys, valueSizes, writeValue, type ValuesDb } from './values.ts';

/**
 * Content-addressed blobs: each is named by the lowercase hex SHA-256 of its content, so
 * storing the same bytes twice costs nothing and a blob can always be checked against its
 * name. Compression and verification live here, once; the drivers only move opaque bytes.
 */
export interface Blobs {
  readonly kind: BlobDriver['kind'];
  /**
   * Stores `bytes` under `hash` once they are shown to hash to it (`invalid` otherwise, and
   * nothing is stored). A blob already there is left as it is. Answers whether this call
   * wrote it; two concurrent puts of a new blob may both answer true (same content).
   * `hashed`: the caller computed `hash` from these very bytes itself (the gateway chunking
   * a WebDAV body), so hashing them again would only cost time.
   */
  put(hash: string, bytes: Uint8Array, options?: { hashed?: boolean }): Promise<boolean>;
  /**
   * A small blob (MAX_INLINE_FILE_BYTES at most) checked against its hash and encoded, outside
   * any transaction, for `keepWithin` to store in one: `invalid` if the bytes do not hash to it.
   */
  prepareSmall(hash: string, bytes: Uint8Array): Promise<SmallBlob>;
  /**
   * Stores a prepared small blob in the store, in the caller's transaction: it is durable
   * exactly when what records it is, with no file or sync of its own.
   */
  keepWithin(tx: ValuesDb, blob: SmallBlob): Promise<void>;
  /** The content, checked against its hash: `not_found` if absent, `internal` if corrupt. */
  get(hash: string): Promise<Uint8Array>;
  /**
   * The content without checking it against its hash, for a caller that checks a digest over
   * many blobs anyway (and on a mismatch asks `get` which one is at fault): `not_found` if
   * absent, `internal` if it does not even decode.
   */
  getUnchecked(hash: string): Promise<Uint8Array>;
  /** Which of `hashes` are stored, in one call however many there are. */
  has(hashes: readonly string[]): Promise<Set<string>>;
  /** What the blob costs in storage (after compression), or undefined when absent. */
  stat(hash: string): Promise<{ storedBytes: number } | undefined>;
  /** Removes the blob; removing an absent one is not an error. */
  delete(hash: string): Promise<void>;
  /** Every stored hash, in no particular order: for garbage collection. */
  list(): AsyncIterable<string>;
  close(): Promise<void>;
}

/** A small blob ready to be kept in the store: `value` is encoded as a driver would hold it. */
export interface SmallBlob {
  readonly hash: string;
  readonly value: Uint8Array;
}

/** Where the bytes go. Keys are already-checked hashes; values are encoded (see `encode`). */
export interface BlobDriver {
  readonly kind: 'disk' | 's3';
  /** For logs and messages: where the blobs are, never with credentials. */
  readonly location: string;
  read(hash: string): Promise<Uint8Array | undefined>;
  /** Stores the value whole or not at all. */
  write(hash: string, value: Uint8Array): Promise<void>;
  size(hash: string): Promise<number | undefined>;
  remove(hash: string): Promise<void>;
  keys(): AsyncIterable<string>;
  close(): Promise<void>;
}

/** Blobs are held in memory whole: they are chunks (4 MiB at most), not whole files. */
export const MAX_BLOB_BYTES = 64 * 1024 * 1024;

const HASH = /^[0-9a-f]{64}$/;
/** The first stored byte says how the rest is encoded. */
const RAW = 0;
const BROTLI = 1;
/** Compressed only when it saves at least a tenth: below that, reading it back costs more than it saves. */
const WORTH_COMPRESSING = 0.9;
/** Quality 3 keeps about 95% of quality 5's saving at twice its speed, and gives up fast on incompressible data. */
const BROTLI_QUALITY = 3;
/**
 * Larger chunks are first tried by a sample (three slices, start, middle and end): brotli
 * spends as long failing to shrink 1 MiB of already-compressed bytes as on text, and most
 * large chunks are media or archives. Content whose sample saves under a twentieth is kept raw.
 */
const SAMPLE_SLICE = 16 * 1024;
const SAMPLE_ABOVE = 8 * SAMPLE_SLICE;
const SAMPLE_WORTH = 0.95;
/** S3 requests in flight for one `has`; a disk driver answers from the thread pool anyway. */
const HAS_CONCURRENCY = 16;

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

export function isBlobHash(value: string): boolean {
  return HASH.test(value);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 on the thread pool (WebCrypto): a chunk's megabyte is hashed while the event loop serves others. */
async function sha256OffThread(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)).toString('hex');
}

function checkHash(hash: string): void {
  if (!isBlobHash(hash)) throw new PodError('invalid', `invalid blob hash "${hash.slice(0, 80)}": expected 64 lowercase hex digits (SHA-256)`);
}

const MIN_OUTPUT_BUFFER = 16 * 1024;
/** Chunks average 1 MiB: most decompress into one buffer. */
const DECODE_BUFFER = 1024 * 1024;
/**
 * Output buffers as large as the result is likely to be: node's default (16 KiB) makes a round
 * trip through the thread pool per 16 KiB, which tripled the cost of a 100 KiB blob and doubled
 * a 1 MiB chunk's decompression. A compressed value is kept only when smaller than its input.
 */
const brotli = (bytes: Uint8Array) =>
  compress(bytes, { chunkSize: Math.max(MIN_OUTPUT_BUFFER, bytes.length), params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } });


function samplePays(bytes: Uint8Array): boolean {
  if (bytes.length <= SAMPLE_ABOVE) return true;
  const middle = (bytes.length - SAMPLE_SLICE) >> 1;
  const sample = Buffer.concat([bytes.subarray(0, SAMPLE_SLICE), bytes.subarray(middle, middle + SAMPLE_SLICE), bytes.subarray(bytes.length - SAMPLE_SLICE)]);
  // In this thread: a few hundred microseconds, where the thread pool may be busy with syncs for longer.
  return brotliCompressSync(sample, { params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } }).length < sample.length * SAMPLE_WORTH;
}

async function encode(bytes: Uint8Array): Promise<Uint8Array> {
  // Below 64 bytes brotli's own framing eats most of any saving.
  const packed = bytes.length < 64 || !samplePays(bytes) ? undefined : await brotli(bytes);
  const compressed = packed !== undefined && packed.length < bytes.length * WORTH_COMPRESSING;
  const body = compressed ? packed : bytes;
  const value = new Uint8Array(body.length + 1);
  value[0] = compressed ? BROTLI : RAW;
  value.set(body, 1);
  return value;
}

/** The content, or why the stored value cannot be it; its hash is checked unless `check` is false. */
async function decode(hash: string, value: Uint8Array, check = true): Promise<Uint8Array | string> {
  const body = value.subarray(1);
  let content: Uint8Array;
  if (value[0] === RAW) content = body;
  else if (value[0] === BROTLI) {
    try {
      content = await decompress(body, { maxOutputLength: MAX_BLOB_BYTES, chunkSize: DECODE_BUFFER });
    } catch (error) {
      return `it does not decompress (${(error as Error).message})`;
    }
  } else return value.length === 0 ? 'it is empty' : `unknown encoding ${value[0]}`;
  if (!check) return content;
  const actual = await sha256OffThread(content);
  return actual === hash ? content : `its content hashes to ${actual}`;
}

/**
 * The blob store over a driver, and over the store's blob_values table when `values` is given
 * (small blobs kept in transactions, see `keepWithin`): checks hashes both ways and compresses
 * where it pays. Reads look in the table first: a small file's one chunk is there, and a miss is
 * an index lookup.
 */
export function createBlobs(driver: BlobDriver, log: Logger, values?: ValuesDb): Blobs {
  const stored = async (hash: string) => (values ? await readValue(values, hash) : undefined) ?? (await driver.read(hash));
  const storedSize = async (hash: string) => (values ? (await valueSizes(values, [hash])).get(hash) : undefined) ?? (await driver.size(hash));
  const read = async (hash: string, check: boolean) => {
    checkHash(hash);
    const value = await stored(hash);
    if (value === undefined) throw new PodError('not_found', `no blob ${hash}`, { hash });
    const content = await decode(hash, value, check);
    if (typeof content !== 'string') return content;
    log.error({ hash, blobs: driver.location, storedBytes: value.length, reason: content }, 'corrupt blob refused');
    throw new PodError('internal', `blob ${hash} is corrupt in storage (${content}); it was not served`, { hash });
  };
  return {
    kind: driver.kind,

    async put(hash, bytes, options = {}) {
      checkHash(hash);
      if (bytes.length > MAX_BLOB_BYTES) throw new PodError('too_large', `a blob holds at most ${MAX_BLOB_BYTES} bytes; this one has ${bytes.length}`);
      const actual = options.hashed ? hash : await sha256OffThread(bytes);
      if (actual !== hash) throw new PodError('invalid', `blob content does not match its hash: expected ${hash}, the bytes hash to ${actual}`, { hash, actual });
      // Only a blob small enough for the store can be there: a large chunk's put costs no query.
      const held = bytes.length <= MAX_INLINE_FILE_BYTES ? await storedSize(hash) : await driver.size(hash);
      if (held !== undefined) return false;
      await driver.write(hash, await encode(bytes));
      return true;
    },

    async prepareSmall(hash, bytes) {
      checkHash(hash);
      if (bytes.length > MAX_INLINE_FILE_BYTES) throw new PodError('too_large', `a small blob holds at most ${MAX_INLINE_FILE_BYTES} bytes; this one has ${bytes.length}`);
      const actual = await sha256OffThread(bytes);
      if (actual !== hash) throw new PodError('invalid', `the content does not match its hash: expected ${hash}, the bytes hash to ${actual}`, { hash, actual });
      return { hash, value: await encode(bytes) };
    },

    async keepWithin(tx, blob) {
      if (!values) throw new PodError('internal', 'this blob store was opened without the store, so it cannot keep small blobs there');
      await writeValue(tx, blob.hash, blob.value);
    },

    get: (hash) => read(hash, true),
    getUnchecked: (hash) => read(hash, false),

    async has(hashes) {
      hashes.forEach(checkHash);
      const unique = [...new Set(hashes)];
      const present = new Set<string>(values ? (await valueSizes(values, unique)).keys() : []);
      const rest = unique.filter((hash) => !present.has(hash));
      let next = 0;
      const worker = async () => {
        while (next < rest.length) {
          const hash = rest[next++]!;
          if ((await driver.size(hash)) !== undefined) present.add(hash);
        }
      };
      await Promise.all(Array.from({ length: Math.min(HAS_CONCURRENCY, rest.length) }, worker));
      return present;
    },

    async stat(hash) {
      checkHash(hash);
      const storedBytes = await storedSize(hash);
      return storedBytes === undefined ? undefined : { storedBytes };
    },

    async delete(hash) {
      checkHash(hash);
      if (values) await removeValue(values, hash);
      await driver.remove(hash);
    },

    async *list() {
      for await (const key of driver.keys()) if (isBlobHash(key)) yield key;
      if (values) yield* valueKeys(values);
    },

    close: () => driver.close(),
  };
}
