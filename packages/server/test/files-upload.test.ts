import { chunkAll, nodeSha256 } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bytes, contentOf, fetchContent, refused, SMALL_CHUNKS, upload } from './helpers/files.ts';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

const MiB = 1024 * 1024;

async function manifestOf(data: Buffer, sizes = SMALL_CHUNKS) {
  const { chunks, file } = await chunkAll([data], { sha256: nodeSha256, ...sizes, withBytes: true });
  return { chunks, file, refs: chunks.map((c) => ({ hash: c.hash, size: c.length })) };
}

function put(pod: TestPod, user: Pick<TestUser, 'token'>, uploadId: string, hash: string, body: Uint8Array): Promise<Response> {
  return fetch(`${pod.url}/v1/files/uploads/${uploadId}/chunks/${hash}`, { method: 'PUT', headers: { authorization: `Bearer ${user.token}` }, body: body as Uint8Array<ArrayBuffer> });
}

describe('files: uploads, deduplicated and resumable', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('sends nothing for a file it already has, and about one chunk for a one-byte edit of several MiB', async () => {
    const amy = await pod.user('amy');
    const data = bytes(8 * MiB, 7);
    const first = await upload(pod, amy, '/big.bin', data);
    assert.ok(first.chunks >= 4, `${first.chunks} chunks`);
    assert.equal(first.chunksSent, first.chunks);
    const again = await upload(pod, amy, '/again.bin', data);
    assert.deepEqual([again.chunksSent, again.bytesSent, again.chunksProven], [0, 0, 0]);
    const edited = Buffer.from(data);
    edited[4 * MiB + 12345]! ^= 0xff;
    const edit = await upload(pod, amy, '/big.bin', edited);
    assert.ok(edit.chunksSent >= 1 && edit.chunksSent <= 2, `${edit.chunksSent} chunks sent for a one-byte edit`);
    assert.ok(edit.bytesSent <= 8 * MiB / 4, `${edit.bytesSent} bytes sent`);
    assert.equal(Buffer.compare(await contentOf(pod, amy, '/big.bin'), edited), 0);
    assert.equal((await amy.op('files.versions', { target: '/big.bin' })).versions.length, 2);
  });

  it('lets another user who holds the same bytes prove it instead of sending them', async () => {
    const bea = await pod.user('bea');
    const cal = await pod.user('cal');
    const data = bytes(50_000, 8);
    await upload(pod, bea, '/shared.bin', data, { chunkSizes: SMALL_CHUNKS });
    const proven = await upload(pod, cal, '/mine.bin', data, { chunkSizes: SMALL_CHUNKS });
    assert.equal(proven.chunksSent, 0);
    assert.ok(proven.chunksProven > 50, `${proven.chunksProven} proofs`);
    assert.equal(Buffer.compare(await contentOf(pod, cal, '/mine.bin'), data), 0);
  });

  it('never gives a file to someone who knows only its hashes', async () => {
    const dee = await pod.user('dee');
    const mal = await pod.user('mal');
    const secret = bytes(40_000, 9);
    await upload(pod, dee, '/secret.bin', secret, { chunkSizes: SMALL_CHUNKS });
    const { refs, file, chunks } = await manifestOf(secret);
    const begun = await mal.op('files.upload.begin', { path: '/stolen.bin', size: file.size, hash: file.hash, chunkCount: refs.length, chunks: refs });
    assert.equal(begun.send.length, 0);
    assert.equal(begun.prove.length, new Set(refs.map((r) => r.hash)).size, 'every chunk must be proven');
    await refused(mal.op('files.upload.commit', { uploadId: begun.uploadId }), 'conflict', /prove/);
    const guessed = refs.map((r) => ({ hash: r.hash, proof: createHmac('sha256', begun.nonce).update(r.hash).digest('hex') }));
    await refused(mal.op('files.upload.commit', { uploadId: begun.uploadId, proofs: guessed }), 'forbidden', /proof of possession/);
    // A proof seen in someone else's upload is keyed by that upload's nonce, so it is worth nothing here.
    const other = await dee.op('files.upload.begin', { path: '/copy.bin', size: file.size, hash: file.hash, chunkCount: refs.length, chunks: refs });
    const replayed = chunks.map((c) => ({ hash: c.hash, proof: createHmac('sha256', other.nonce).update(c.bytes!).digest('hex') }));
    await refused(mal.op('files.upload.commit', { uploadId: begun.uploadId, proofs: replayed }), 'forbidden');
    // Sending other bytes under a chunk's name is refused, and grants nothing.
    const forged = await put(pod, mal, begun.uploadId, refs[0]!.hash, bytes(refs[0]!.size, 99));
    assert.equal(forged.status, 400);
    assert.equal(((await forged.json()) as { error: { code: string } }).error.code, 'invalid');
    await refused(mal.op('files.upload.prove', { uploadId: begun.uploadId, proofs: guessed.slice(0, 1) }), 'forbidden');
    await refused(mal.op('files.upload.commit', { uploadId: begun.uploadId }), 'conflict');
    assert.deepEqual((await mal.op('files.list', {})).entries, []);
    const deeFile = (await dee.op('files.stat', { target: '/secret.bin' })).entry;
    assert.equal((await fetchContent(pod, mal, `id=${deeFile.id}`)).status, 404);
    await refused(mal.op('files.upload.status', { uploadId: other.uploadId }), 'not_found', /no open upload/);
    assert.equal((await put(pod, mal, other.uploadId, refs[0]!.hash, chunks[0]!.bytes!)).status, 404, 'another user\'s upload is not there');
    assert.equal(Buffer.compare(await contentOf(pod, dee, '/secret.bin'), secret), 0);
  });

  it('resumes an interrupted upload, sending only what had not arrived', async () => {
    const eli = await pod.user('eli');
    const data = bytes(30_000, 10);
    const controller = new AbortController();
    // The chunk batch gets through with its first 20 chunks (a header and the bytes each), then the connection is lost.
    const lossy: typeof fetch = async (input, init) => {
      if (!String(input).endsWith('/chunks')) return fetch(input, init);
      const pieces = (init!.body as ReadableStream<Uint8Array>).getReader();
      let passed = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(stream) {
          const next = passed++ < 40 ? await pieces.read() : { done: true as const, value: undefined };
          if (next.done) stream.close();
          else stream.enqueue(next.value);
        },
      });
      assert.equal((await fetch(input, { ...init, body, duplex: 'half' } as RequestInit)).status, 200);
      controller.abort(new Error('the laptop lid closed'));
      throw new TypeError('fetch failed');
    };
    await assert.rejects(upload(pod, eli, '/resume.bin', data, { chunkSizes: SMALL_CHUNKS, signal: controller.signal, fetch: lossy }), /lid closed/);
    const { refs } = await manifestOf(data);
    const distinct = new Set(refs.map((r) => r.hash)).size;
    // Beginning again as the SDK does (the file's hash comes with the commit) finds the unfinished
    // upload: what arrived is stored but unrecorded, so it is to be proven, the rest sent.
    const again = await eli.op('files.upload.begin', { path: '/resume.bin', size: data.length, chunks: refs });
    assert.deepEqual([again.prove.length, again.send.length], [20, distinct - 20]);
    const status = await eli.op('files.upload.status', { uploadId: again.uploadId });
    assert.deepEqual([status.send, status.prove], [again.send, again.prove]);
    const resumed = await upload(pod, eli, '/resume.bin', data, { chunkSizes: SMALL_CHUNKS });
    assert.deepEqual([resumed.chunksSent, resumed.chunksProven], [distinct - 20, 20]);
    assert.equal(Buffer.compare(await contentOf(pod, eli, '/resume.bin'), data), 0);
    await refused(eli.op('files.upload.status', { uploadId: again.uploadId }), 'not_found', /committed/);
  });

  it('resumes an upload stopped before its commit without sending anything again', async () => {
    const flo = await pod.user('flo');
    const data = bytes(30_000, 14);
    const controller = new AbortController();
    const interrupted = upload(pod, flo, '/late.bin', data, {
      chunkSizes: SMALL_CHUNKS,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'committing') controller.abort(new Error('stopped'));
      },
    });
    await assert.rejects(interrupted, /stopped/);
    const { refs } = await manifestOf(data);
    const resumed = await upload(pod, flo, '/late.bin', data, { chunkSizes: SMALL_CHUNKS });
    assert.deepEqual([resumed.chunksSent, resumed.chunksProven], [0, new Set(refs.map((r) => r.hash)).size]);
    assert.equal(Buffer.compare(await contentOf(pod, flo, '/late.bin'), data), 0);
  });

  it('takes manifests of more than one page', async () => {
    const fin = await pod.user('fin');
    // A repeating pattern cuts into the same few chunks again and again: a long manifest, few bytes to send.
    const data = Buffer.concat(Array.from({ length: 1000 }, (_, i) => Buffer.concat([bytes(300, 11), Buffer.from([i % 7])])));
    const { refs } = await manifestOf(data);
    assert.ok(refs.length > 1000, `${refs.length} chunks`);
    const result = await upload(pod, fin, '/many.bin', data, { chunkSizes: SMALL_CHUNKS });
    assert.ok(result.chunksSent < 200, `${result.chunksSent} distinct chunks sent`);
    assert.equal(result.chunks, refs.length);
    assert.equal(Buffer.compare(await contentOf(pod, fin, '/many.bin'), data), 0);
    const part = await fetchContent(pod, fin, 'path=/many.bin', { range: 'bytes=300000-300099' });
    assert.equal(Buffer.compare(part.body, data.subarray(300_000, 300_100)), 0);
  });

  it('keeps both of two writers to one file: the last is current, the other an earlier version', async () => {
    const gil = await pod.user('gil');
    const [a, b] = [bytes(20_000, 12), bytes(20_000, 13)];
    await Promise.all([upload(pod, gil, '/race.bin', a, { chunkSizes: SMALL_CHUNKS }), upload(pod, gil, '/race.bin', b, { chunkSizes: SMALL_CHUNKS })]);
    const { versions } = await gil.op('files.versions', { target: '/race.bin' });
    assert.equal(versions.length, 2);
    const current = await contentOf(pod, gil, '/race.bin');
    assert.ok(Buffer.compare(current, a) === 0 || Buffer.compare(current, b) === 0);
  });

  it('uploads an empty file', async () => {
    const hap = await pod.user('hap');
    const result = await upload(pod, hap, '/empty.txt', Buffer.alloc(0));
    assert.equal(result.entry.size, 0);
    assert.equal((await contentOf(pod, hap, '/empty.txt')).length, 0);
  });
});

describe('files: quota', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod({ filesQuotaBytes: 100_000, filesVersions: 1 });
  });
  after(() => pod.close());

  it('refuses what would pass the quota with too_large and a message, and counts versions and the trash', async () => {
    const ian = await pod.user('ian');
    await upload(pod, ian, '/a.bin', bytes(60_000, 20));
    const error = await refused(upload(pod, ian, '/b.bin', bytes(60_000, 21)), 'too_large', /at most 100000 bytes/);
    assert.deepEqual(error.data, { quotaBytes: 100_000, usedBytes: 60_000, neededBytes: 60_000 });
    await refused(ian.op('files.copy', { target: '/a.bin', to: '/', name: 'a2.bin' }), 'too_large');
    await ian.op('files.delete', { target: '/a.bin' });
    await refused(upload(pod, ian, '/b.bin', bytes(60_000, 21)), 'too_large', /trash/);
    assert.equal((await ian.op('files.usage', {})).quotaBytes, 100_000);
    await ian.op('files.trash.empty', {});
    await upload(pod, ian, '/b.bin', bytes(30_000, 22));
    // One earlier version is kept: 30,000 + 30,000 fits, a third would be over unless the oldest goes.
    await upload(pod, ian, '/b.bin', bytes(30_000, 23));
    await upload(pod, ian, '/b.bin', bytes(30_000, 24));
    assert.equal((await ian.op('files.usage', {})).logicalBytes, 60_000);
    assert.equal((await ian.op('files.list', {})).entries.length, 1);
  });
});
