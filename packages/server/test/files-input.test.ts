import { chunkAll, nodeSha256 } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bytes, contentOf, fetchContent, filesDb, refused, SMALL_CHUNKS, upload } from './helpers/files.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function putRaw(pod: TestPod, token: string | undefined, path: string, body: Uint8Array | string, extra: RequestInit = {}): Promise<{ status: number; code?: string; message?: string; proof?: string }> {
  const response = await fetch(`${pod.url}${path}`, { method: 'PUT', headers: token ? { authorization: `Bearer ${token}` } : {}, body: body as BodyInit, ...extra });
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string }; proof?: string };
  return { status: response.status, code: json.error?.code, message: json.error?.message, proof: json.proof };
}

/** A body sent in chunked encoding, so no Content-Length announces its size. */
function streamed(data: Uint8Array): RequestInit {
  return { body: new ReadableStream({ start: (c) => (c.enqueue(data), c.close()) }), duplex: 'half' } as RequestInit;
}

describe('files: bad input is refused with a clear code, and nothing is corrupted', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('refuses paths and names that would climb out, hide, or break a tree', async () => {
    const ann = await pod.user('ann');
    await ann.op('files.mkdir', { path: '/ok' });
    const paths: Array<[string, string]> = [
      ['/ok/../etc', 'invalid'],
      ['/./ok', 'invalid'],
      ['ok/relative', 'invalid'],
      ['/ok//double', 'invalid'],
      ['/ok/nul\0name', 'invalid'],
      ['/ok/bell\u0007', 'invalid'],
      ['/ok/\ud800lone', 'invalid'],
      [`/ok/${'x'.repeat(256)}`, 'too_large'],
      [`/ok/${'é'.repeat(128)}`, 'too_large'],
      [`/${Array.from({ length: 65 }, () => 'd').join('/')}`, 'too_large'],
    ];
    for (const [path, code] of paths) await refused(ann.op('files.mkdir', { path }), code);
    await ann.op('files.mkdir', { path: `/ok/${'x'.repeat(255)}` });
    for (const name of ['a/b', '..', '.', '', 'nul\0']) await refused(ann.op('files.rename', { target: '/ok', name }), 'invalid');
    await refused(ann.op('files.upload.begin', { path: '/', size: 0, hash: sha256(new Uint8Array()), chunkCount: 0, chunks: [] }), 'invalid', /root/);
    assert.equal((await fetchContent(pod, ann, `path=${encodeURIComponent('/ok/../../etc/passwd')}`)).status, 400);
    assert.equal((await fetchContent(pod, ann, 'path=/ok&id=1')).status, 400);
    assert.deepEqual((await ann.op('files.list', {})).entries.map((e) => e.name), ['ok']);
  });

  it('refuses manifests whose sizes or hashes lie, leaving no upload and no file', async () => {
    const ben = await pod.user('ben');
    const data = bytes(5000, 30);
    const { chunks, file } = await chunkAll([data], { sha256: nodeSha256, ...SMALL_CHUNKS, withBytes: true });
    const refs = chunks.map((c) => ({ hash: c.hash, size: c.length }));
    const begin = (body: Partial<{ size: number; hash: string; chunkCount: number; chunks: typeof refs }>) =>
      ben.op('files.upload.begin', { path: '/lie.bin', size: file.size, hash: file.hash, chunkCount: refs.length, chunks: refs, ...body });
    await refused(begin({ size: file.size + 1 }), 'invalid', /add up to/);
    await refused(begin({ size: 10, chunkCount: 0, chunks: [] }), 'invalid');
    await refused(begin({ chunkCount: refs.length - 1 }), 'invalid');
    await refused(begin({ chunks: [{ hash: refs[0]!.hash, size: 0 }] }), 'invalid');
    await refused(begin({ chunks: [{ hash: refs[0]!.hash.toUpperCase(), size: 5 }] }), 'invalid', /hash/);
    const db = filesDb(pod);
    const uploads = async () => Number((await db.selectFrom('files_uploads').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await uploads();
    // Pages in order only, and a page sent again must say the same.
    const partial = await begin({ chunks: refs.slice(0, 2) });
    await refused(ben.op('files.upload.manifest', { uploadId: partial.uploadId, from: 5, chunks: refs.slice(5, 6) }), 'invalid', /in order/);
    await refused(ben.op('files.upload.manifest', { uploadId: partial.uploadId, from: 1, chunks: [refs[0]!] }), 'conflict', /differs/);
    await ben.op('files.upload.cancel', { uploadId: partial.uploadId });
    assert.equal(await uploads(), before);
    // The right chunks under a wrong whole-file hash: every chunk arrives, the commit refuses.
    const wrong = await begin({ hash: sha256(Buffer.from('something else')) });
    const proofs = new Map<string, string>();
    for (const chunk of chunks) proofs.set(chunk.hash, (await putRaw(pod, ben.token, `/v1/files/uploads/${wrong.uploadId}/chunks/${chunk.hash}`, chunk.bytes!)).proof!);
    await refused(ben.op('files.upload.commit', { uploadId: wrong.uploadId, proofs: [...proofs].map(([hash, proof]) => ({ hash, proof })) }), 'invalid', /SHA-256/);
    await refused(ben.op('files.stat', { target: '/lie.bin' }), 'not_found');
    const retried = await upload(pod, ben, '/lie.bin', data, { chunkSizes: SMALL_CHUNKS });
    assert.equal(retried.chunksSent, 0, 'the chunks it had already sent were kept');
    assert.equal(Buffer.compare(await contentOf(pod, ben, '/lie.bin'), data), 0);
  });

  it('refuses a manifest entry whose size lies about a chunk the server holds', async () => {
    const cy = await pod.user('cy');
    const dot = await pod.user('dot');
    const data = bytes(3000, 31);
    await upload(pod, cy, '/real.bin', data, { chunkSizes: { minSize: 4096, avgSize: 8192, maxSize: 16384 } });
    const liar = { hash: sha256(data), size: data.length + 1 };
    const begun = await dot.op('files.upload.begin', { path: '/fake.bin', size: liar.size, hash: sha256(Buffer.concat([data, Buffer.from([0])])), chunkCount: 1, chunks: [liar] });
    assert.deepEqual([begun.send, begun.prove], [[], [0]]);
    const proof = createHmac('sha256', begun.nonce).update(data).digest('hex');
    await refused(dot.op('files.upload.commit', { uploadId: begun.uploadId, proofs: [{ hash: liar.hash, proof }] }), 'invalid', /bytes, not/);
    assert.deepEqual((await dot.op('files.list', {})).entries, []);
  });

  it('refuses chunk bodies that are short, long or not the chunk, and stores only the real one', async () => {
    const eve = await pod.user('eve');
    const data = bytes(1000, 32);
    const hash = sha256(data);
    const { uploadId } = await eve.op('files.upload.begin', { path: '/one.bin', size: 1000, hash, chunkCount: 1, chunks: [{ hash, size: 1000 }] });
    const url = `/v1/files/uploads/${uploadId}/chunks/${hash}`;
    const cases: Array<[string, () => Promise<{ status: number; code?: string; message?: string }>, number, string]> = [
      ['no session', () => putRaw(pod, undefined, url, data), 401, 'unauthorized'],
      ['a hash that is not one', () => putRaw(pod, eve.token, `/v1/files/uploads/${uploadId}/chunks/xyz`, data), 400, 'invalid'],
      ['an upload id that is not one', () => putRaw(pod, eve.token, `/v1/files/uploads/${'!'.repeat(3)}/chunks/${hash}`, data), 400, 'invalid'],
      ['a chunk not in the manifest', () => putRaw(pod, eve.token, `/v1/files/uploads/${uploadId}/chunks/${sha256(Buffer.from('x'))}`, Buffer.from('x')), 404, 'not_found'],
      ['a short body', () => putRaw(pod, eve.token, url, data.subarray(0, 999)), 400, 'invalid'],
      ['a long body', () => putRaw(pod, eve.token, url, Buffer.concat([data, Buffer.from([1])])), 413, 'too_large'],
      ['a short streamed body', () => putRaw(pod, eve.token, url, '', streamed(data.subarray(0, 999))), 400, 'invalid'],
      ['a long streamed body', () => putRaw(pod, eve.token, url, '', streamed(Buffer.concat([data, data]))), 413, 'too_large'],
      ['other bytes', () => putRaw(pod, eve.token, url, bytes(1000, 33)), 400, 'invalid'],
    ];
    for (const [what, answer, status, code] of cases) {
      const got = await answer();
      assert.deepEqual([got.status, got.code], [status, code], `${what}: ${got.message}`);
      assert.ok(got.message, `${what}: the refusal says why`);
    }
    // A client that stops half-way through a body: the connection drops, nothing is stored.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(new URL(pod.url).port), '127.0.0.1', () => {
        socket.write(`PUT ${url} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${eve.token}\r\nContent-Length: 1000\r\n\r\n`);
        socket.write(data.subarray(0, 500), () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on('error', reject);
    });
    assert.equal((await pod.pod.blobs!.has([hash])).size, 0, 'nothing stored under the chunk\'s name');
    assert.deepEqual((await eve.op('files.upload.status', { uploadId })).send, [0]);
    await refused(eve.op('files.upload.commit', { uploadId }), 'conflict', /send 1/);
    const sent = await putRaw(pod, eve.token, url, data);
    assert.equal(sent.status, 200);
    // The PUT recorded nothing: its answer is the proof, for the commit, that eve sent the bytes.
    await refused(eve.op('files.upload.commit', { uploadId }), 'conflict', /send 1/);
    await eve.op('files.upload.commit', { uploadId, proofs: [{ hash, proof: sent.proof! }] });
    assert.equal(Buffer.compare(await contentOf(pod, eve, '/one.bin'), data), 0);
  });
});
