import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PodError, type ErrorCode } from '@pod/protocol';
import fc from 'fast-check';
import pino from 'pino';
import S3rver from 's3rver';
import { MAX_BLOB_BYTES, openBlobs, sha256Hex, type Blobs } from '../src/blobs/index.ts';
import { freePort } from './helpers/processes.ts';

// The SDK warns once per process that its releases from 2027 on need Node 22; the pinned
// version runs on Node 20, and the warning would only clutter the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const BUCKET = 'pod-test';
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** One store, empty, with a way to damage what it holds behind its back. */
interface Fixture {
  blobs: Blobs;
  /** What the store logged, one parsed pino line each. */
  logged: Array<Record<string, unknown>>;
  /** The stored value of `hash`, header byte included, read behind the store's back. */
  stored(hash: string): Promise<Uint8Array>;
  /** Replaces the stored value of `hash` as a failing disk or bucket would. */
  overwrite(hash: string, value: Uint8Array): Promise<void>;
}

interface Driver {
  name: string;
  start(): Promise<void>;
  /** A fresh, empty store: a new directory, or a new prefix in the bucket. */
  open(): Promise<Fixture>;
  stop(): Promise<void>;
}

function capturingLogger(): { log: pino.Logger; logged: Array<Record<string, unknown>> } {
  const logged: Array<Record<string, unknown>> = [];
  return { logged, log: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) }) };
}

async function refusal(promise: Promise<unknown>): Promise<PodError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PodError, `expected a PodError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

async function assertRefused(promise: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<PodError> {
  const error = await refusal(promise);
  assert.equal(error.code, code, error.message);
  if (pattern) assert.match(error.message, pattern);
  return error;
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out.sort();
}

/** Text-like data (about 5:1 under brotli), as documents and source files are. */
function compressible(bytes: number): Uint8Array {
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `{"id":${i},"name":"user-${i % 97}","status":"${['online', 'away', 'busy'][i % 3]}"}\n`;
  return new TextEncoder().encode(text).subarray(0, bytes);
}

const opened: string[] = [];
const diskDriver: Driver = (() => {
  let root = '';
  return {
    name: 'disk',
    async start() {
      root = mkdtempSync(join(tmpdir(), 'pod-blobs-'));
    },
    async open() {
      const dir = join(root, `store-${opened.push('disk')}`);
      const { log, logged } = capturingLogger();
      const blobs = await openBlobs(`file:${dir}`, log);
      const path = (hash: string) => join(dir, hash.slice(0, 2), hash.slice(2, 4), hash);
      return { blobs, logged, stored: (hash) => readFile(path(hash)), overwrite: (hash, value) => writeFile(path(hash), value) };
    },
    async stop() {
      rmSync(root, { recursive: true, force: true });
    },
  };
})();

const s3Driver: Driver = (() => {
  let directory = '';
  let server: S3rver;
  let endpoint = '';
  let raw: S3Client;
  const stores: Blobs[] = [];
  return {
    name: 's3',
    async start() {
      directory = mkdtempSync(join(tmpdir(), 'pod-s3rver-'));
      server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET, configs: [] }] });
      endpoint = `http://127.0.0.1:${(await server.run()).port}`;
      raw = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: KEYS });
    },
    async open() {
      const prefix = `store-${opened.push('s3')}/`;
      const { log, logged } = capturingLogger();
      const blobs = await openBlobs(`s3://${KEYS.accessKeyId}:${KEYS.secretAccessKey}@${BUCKET}/${prefix}?endpoint=${endpoint}`, log);
      stores.push(blobs);
      const overwrite = async (hash: string, value: Uint8Array) => {
        await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: prefix + hash, Body: value }));
      };
      const stored = async (hash: string) => {
        const answer = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: prefix + hash }));
        return answer.Body!.transformToByteArray();
      };
      return { blobs, logged, stored, overwrite };
    },
    async stop() {
      for (const blobs of stores) await blobs.close();
      raw?.destroy();
      await server?.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
})();

for (const driver of [diskDriver, s3Driver]) {
  describe(`blobs on ${driver.name}`, () => {
    before(() => driver.start());
    after(() => driver.stop());

    it('gives back exactly what was put, and putting it again writes nothing', async () => {
      const { blobs } = await driver.open();
      for (const content of [new Uint8Array(0), new Uint8Array([0]), compressible(1 << 20), randomBytes(300_000)]) {
        const hash = sha256Hex(content);
        assert.equal(await blobs.put(hash, content), true);
        assert.deepEqual(Buffer.from(await blobs.get(hash)), Buffer.from(content));
        assert.equal(await blobs.put(hash, content), false, 'a blob already stored is not written again');
      }
    });

    it('refuses bytes that do not match their hash, and stores nothing', async () => {
      const { blobs } = await driver.open();
      const good = randomBytes(1000);
      const hash = sha256Hex(good);
      const tampered = Buffer.from(good);
      tampered[500]! ^= 1;
      const error = await assertRefused(blobs.put(hash, tampered), 'invalid', /does not match its hash/);
      assert.equal(error.data?.hash, hash);
      assert.deepEqual(await blobs.has([hash]), new Set());
      assert.equal(await blobs.stat(hash), undefined);
      assert.deepEqual(await collect(blobs.list()), []);
      await assertRefused(blobs.get(hash), 'not_found');
    });

    it('refuses names that are not SHA-256 hex, before touching storage', async () => {
      const { blobs } = await driver.open();
      const upper = sha256Hex(new Uint8Array([1])).toUpperCase();
      for (const name of [upper, '../../../../etc/passwd', '', 'ab'.repeat(33)]) {
        await assertRefused(blobs.put(name, new Uint8Array([1])), 'invalid', /64 lowercase hex/);
        await assertRefused(blobs.get(name), 'invalid');
        await assertRefused(blobs.has([sha256Hex(new Uint8Array([1])), name]), 'invalid');
        await assertRefused(blobs.delete(name), 'invalid');
      }
      await assertRefused(blobs.put(sha256Hex(new Uint8Array(0)), new Uint8Array(MAX_BLOB_BYTES + 1)), 'too_large');
    });

    it('reports a blob damaged in storage as internal and logs it, never serving its bytes', async () => {
      const fixture = await driver.open();
      const { blobs } = fixture;
      const text = compressible(200_000);
      const noise = randomBytes(200_000);
      const [textHash, noiseHash] = [sha256Hex(text), sha256Hex(noise)];
      await blobs.put(textHash, text);
      await blobs.put(noiseHash, noise);
      const flipped = async (hash: string) => {
        const value = Buffer.from(await fixture.stored(hash));
        value[value.length >> 1]! ^= 0x40;
        return value;
      };
      const damage: Array<[string, string, Uint8Array]> = [
        ['a flipped bit in raw content', noiseHash, await flipped(noiseHash)],
        ['a flipped bit in compressed content', textHash, await flipped(textHash)],
        ['compressed bytes cut short', textHash, Buffer.concat([Buffer.from([1]), randomBytes(64)])],
        ['an empty object', textHash, new Uint8Array(0)],
        ['an unknown encoding', noiseHash, Buffer.concat([Buffer.from([7]), noise])],
        ['another blob under this name', textHash, Buffer.concat([Buffer.from([0]), noise])],
      ];
      for (const [what, hash, value] of damage) {
        await fixture.overwrite(hash, value);
        const error = await assertRefused(blobs.get(hash), 'internal', /corrupt/);
        assert.ok(error.message.includes(hash), `${what}: the message names the blob`);
        const entry = fixture.logged.at(-1);
        assert.equal(entry?.hash, hash, `${what}: logged`);
        assert.equal(entry?.level, 50, `${what}: logged as an error`);
      }
    });

    it('stores compressible content smaller, and incompressible content no larger', async () => {
      const { blobs } = await driver.open();
      const text = compressible(1 << 20);
      const noise = randomBytes(1 << 20);
      await blobs.put(sha256Hex(text), text);
      await blobs.put(sha256Hex(noise), noise);
      const textStored = (await blobs.stat(sha256Hex(text)))!.storedBytes;
      const noiseStored = (await blobs.stat(sha256Hex(noise)))!.storedBytes;
      assert.ok(textStored < text.length / 4, `1 MiB of text takes ${textStored} bytes`);
      assert.ok(noiseStored <= noise.length + 1, `1 MiB of random bytes takes ${noiseStored} bytes (one header byte allowed)`);
    });

    it('answers which of many hashes it holds in one call', async () => {
      const { blobs } = await driver.open();
      const contents = Array.from({ length: 300 }, (_, i) => new TextEncoder().encode(`chunk ${i}`));
      const hashes = contents.map(sha256Hex);
      const stored = hashes.filter((_, i) => i % 7 === 0);
      await Promise.all(contents.filter((_, i) => i % 7 === 0).map((content) => blobs.put(sha256Hex(content), content)));
      assert.deepEqual(await blobs.has([...hashes, ...stored]), new Set(stored));
      assert.deepEqual(await blobs.has([]), new Set());
    });

    it('deletes, and deleting what is absent is not an error', async () => {
      const { blobs } = await driver.open();
      const [a, b] = [randomBytes(100), randomBytes(100)];
      await blobs.put(sha256Hex(a), a);
      await blobs.put(sha256Hex(b), b);
      await blobs.delete(sha256Hex(a));
      await blobs.delete(sha256Hex(a));
      assert.deepEqual(await blobs.has([sha256Hex(a), sha256Hex(b)]), new Set([sha256Hex(b)]));
      await assertRefused(blobs.get(sha256Hex(a)), 'not_found');
      assert.equal(await blobs.put(sha256Hex(a), a), true, 'a deleted blob can be stored again');
    });

    it('lists every stored hash once', async () => {
      const { blobs } = await driver.open();
      assert.deepEqual(await collect(blobs.list()), []);
      const hashes = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
        const content = new TextEncoder().encode(`list ${i}`);
        await blobs.put(sha256Hex(content), content);
        return sha256Hex(content);
      }));
      assert.deepEqual(await collect(blobs.list()), [...hashes].sort());
      await blobs.delete(hashes[0]!);
      assert.deepEqual(await collect(blobs.list()), hashes.slice(1).sort());
    });

    it('keeps one good copy when the same new blob is put concurrently', async () => {
      const { blobs } = await driver.open();
      const content = compressible(500_000);
      const hash = sha256Hex(content);
      await Promise.all(Array.from({ length: 8 }, () => blobs.put(hash, content)));
      assert.deepEqual(Buffer.from(await blobs.get(hash)), Buffer.from(content));
      assert.deepEqual(await collect(blobs.list()), [hash]);
    });

    it('round-trips arbitrary bytes (property)', async () => {
      const { blobs } = await driver.open();
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.uint8Array({ minLength: 1, maxLength: 64 }).map((unit) => {
          // Repetitive input takes the compressed path.
          const out = new Uint8Array(unit.length * 100);
          for (let i = 0; i < 100; i++) out.set(unit, i * unit.length);
          return out;
        })), async (content) => {
          const hash = sha256Hex(content);
          await blobs.put(hash, content);
          assert.deepEqual(Buffer.from(await blobs.get(hash)), Buffer.from(content));
        }),
        { numRuns: 60 },
      );
    });
  });
}

describe('blobs on disk, the files themselves', () => {
  const root = mkdtempSync(join(tmpdir(), 'pod-blobs-layout-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('keeps each blob at <dir>/ab/cd/<hash>, private, with no temporary file left', async () => {
    const blobs = await openBlobs(root, pino({ level: 'silent' }));
    const content = randomBytes(5000);
    const hash = sha256Hex(content);
    await blobs.put(hash, content);
    const dir = join(root, hash.slice(0, 2), hash.slice(2, 4));
    assert.deepEqual(await readdir(dir), [hash]);
    assert.equal((await stat(join(dir, hash))).mode & 0o777, 0o600);
  });

  it('does not list a temporary file left by a crash', async () => {
    const blobs = await openBlobs(`file:${root}`, pino({ level: 'silent' }));
    const hash = sha256Hex(new Uint8Array([9]));
    const dir = join(root, hash.slice(0, 2), hash.slice(2, 4));
    await blobs.put(hash, new Uint8Array([9]));
    await writeFile(join(dir, `.${hash}.abcdef.tmp`), 'torn');
    assert.ok((await collect(blobs.list())).includes(hash));
    assert.ok((await collect(blobs.list())).every((name) => !name.includes('tmp')));
  });
});

describe('openBlobs', () => {
  const log = pino({ level: 'silent' });
  let server: S3rver;
  let endpoint = '';
  const directory = mkdtempSync(join(tmpdir(), 'pod-s3rver-open-'));
  before(async () => {
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET, configs: [] }] });
    endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  });
  after(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('refuses a URL it cannot use, saying what it accepts', async () => {
    await assertRefused(openBlobs('ftp://example.org/blobs', log), 'invalid', /file:DIR.*s3:\/\//);
    await assertRefused(openBlobs(`s3://${BUCKET}?endpoint=${endpoint}&regoin=eu-west-1`, log), 'invalid', /unknown parameter "regoin"/);
    await assertRefused(openBlobs(`s3://${BUCKET}?endpoint=127.0.0.1:9000`, log), 'invalid', /endpoint must be/);
    const error = await assertRefused(openBlobs(`s3://KEY:TOPSECRET@${BUCKET}?forcePathStyle=maybe`, log), 'invalid', /forcePathStyle/);
    assert.ok(!error.message.includes('TOPSECRET'), 'the secret stays out of the message');
  });

  it('says at start when the bucket does not exist', async () => {
    await assertRefused(openBlobs(`s3://S3RVER:S3RVER@no-such-bucket?endpoint=${endpoint}`, log), 'invalid', /"no-such-bucket" does not exist.*create it/);
  });

  it('says at start when the storage server does not answer', async () => {
    const port = await freePort();
    await assertRefused(openBlobs(`s3://S3RVER:S3RVER@${BUCKET}?endpoint=http://127.0.0.1:${port}`, log), 'unavailable', new RegExp(`127.0.0.1:${port}`));
  });
});
