import { chunkFrameHeader, CHUNK_FRAME_HEADER_BYTES, MAX_CHUNK_BYTES } from '@pod/protocol';
import { chunkAll, nodeSha256, type Chunk } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bytes, contentOf, filesDb, refused, SMALL_CHUNKS } from './helpers/files.ts';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function cut(data: Buffer) {
  const { chunks } = await chunkAll([data], { sha256: nodeSha256, ...SMALL_CHUNKS, withBytes: true });
  return { chunks, refs: chunks.map((c) => ({ hash: c.hash, size: c.length })), hash: sha256(data) };
}

/** Frames as the SDK sends them: each chunk's header and bytes. */
const framed = (chunks: readonly Chunk[]) => Buffer.concat(chunks.flatMap((c) => [chunkFrameHeader(c.hash, c.length), c.bytes!]));

type Answer = { status: number; json: { chunks?: Array<{ hash: string; size: number; proof: string }>; error?: { code: string; message: string } } };

async function putBatch(pod: TestPod, user: Pick<TestUser, 'token'>, uploadId: string, body: Uint8Array): Promise<Answer> {
  const response = await fetch(`${pod.url}/v1/files/uploads/${uploadId}/chunks`, { method: 'PUT', headers: { authorization: `Bearer ${user.token}` }, body: body as Uint8Array<ArrayBuffer> });
  return { status: response.status, json: (await response.json()) as Answer['json'] };
}

const proofsOf = (answer: Answer) => answer.json.chunks!.map(({ hash, proof }) => ({ hash, proof }));

async function streamedHash(pod: TestPod, uploadId: string): Promise<string | null> {
  return (await filesDb(pod).selectFrom('files_uploads').select('streamed_hash').where('id', '=', uploadId).executeTakeFirstOrThrow()).streamed_hash;
}

describe('files: chunk batches and uploads whose hash comes with the commit', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('stores a batch, answers a receipt per chunk, and checks the commit\'s hash against the bytes it streamed', async () => {
    const ann = await pod.user('ann');
    const data = bytes(20_000, 70);
    const { chunks, refs, hash } = await cut(data);
    const begun = await ann.op('files.upload.begin', { path: '/a.bin', size: data.length, chunks: refs });
    assert.equal(begun.chunkCount, undefined);
    const answer = await putBatch(pod, ann, begun.uploadId, framed(chunks));
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.deepEqual(answer.json.chunks!.map((c) => [c.hash, c.size]), refs.map((r) => [r.hash, r.size]));
    // The batch carried the whole manifest in order: the gateway's hash of it is the file's.
    assert.equal(await streamedHash(pod, begun.uploadId), hash);
    const wrong = sha256(Buffer.from('another file'));
    const refusal = await refused(ann.op('files.upload.commit', { uploadId: begun.uploadId, hash: wrong, proofs: proofsOf(answer) }), 'invalid', /SHA-256/);
    assert.equal(refusal.data?.actual, hash);
    // Without a hash, the file's is the one the gateway took.
    const { entry } = await ann.op('files.upload.commit', { uploadId: begun.uploadId, proofs: proofsOf(answer) });
    assert.equal(entry.hash, hash);
    assert.equal(Buffer.compare(await contentOf(pod, ann, '/a.bin'), data), 0);
  });

  it('reads the chunks back at the commit when no one batch carried the whole file', async () => {
    const bob = await pod.user('bob');
    const data = bytes(20_000, 71);
    const { chunks, refs, hash } = await cut(data);
    const begun = await bob.op('files.upload.begin', { path: '/b.bin', size: data.length, chunks: refs });
    const half = Math.floor(chunks.length / 2);
    const first = await putBatch(pod, bob, begun.uploadId, framed(chunks.slice(0, half)));
    const second = await putBatch(pod, bob, begun.uploadId, framed(chunks.slice(half)));
    assert.equal(await streamedHash(pod, begun.uploadId), null);
    const proofs = [...proofsOf(first), ...proofsOf(second)];
    const refusal = await refused(bob.op('files.upload.commit', { uploadId: begun.uploadId, hash: sha256(data.subarray(1)), proofs }), 'invalid', /SHA-256/);
    assert.equal(refusal.data?.actual, hash);
    await bob.op('files.upload.commit', { uploadId: begun.uploadId, hash, proofs });
    assert.equal(Buffer.compare(await contentOf(pod, bob, '/b.bin'), data), 0);
    // Without a hash, the server makes it from the chunks; content it stored before, from the version's.
    for (const [path, seed] of [['/c.bin', 75], ['/d.bin', 75]] as const) {
      const other = bytes(20_000, seed);
      const parts = await cut(other);
      const started = await bob.op('files.upload.begin', { path, size: other.length, chunks: parts.refs });
      const sent = started.send.length === 0 ? [] : [...proofsOf(await putBatch(pod, bob, started.uploadId, framed(parts.chunks.slice(1)))), ...proofsOf(await putBatch(pod, bob, started.uploadId, framed(parts.chunks.slice(0, 1))))];
      const { entry } = await bob.op('files.upload.commit', { uploadId: started.uploadId, ...(sent.length > 0 ? { proofs: sent } : {}) });
      assert.equal(entry.hash, parts.hash);
    }
  });

  it('refuses lying frames, storing nothing of them', async () => {
    const cat = await pod.user('cat');
    const mal = await pod.user('mal');
    const data = bytes(5_000, 72);
    const { chunks, refs } = await cut(data);
    const begun = await cat.op('files.upload.begin', { path: '/c.bin', size: data.length, chunks: refs });
    const [one] = chunks as [Chunk];
    const cases: Array<[string, Buffer, number, string]> = [
      ['a length longer than the manifest says', Buffer.concat([chunkFrameHeader(one.hash, one.length + 1), one.bytes!, Buffer.from([0])]), 413, 'too_large'],
      ['a length shorter than the manifest says', Buffer.concat([chunkFrameHeader(one.hash, one.length - 1), one.bytes!.subarray(1)]), 400, 'invalid'],
      ['bytes that are not the hash\'s', Buffer.concat([chunkFrameHeader(one.hash, one.length), bytes(one.length, 99)]), 400, 'invalid'],
      ['a chunk the upload does not name', framed([{ ...one, hash: sha256(bytes(one.length, 98)), bytes: bytes(one.length, 98) }]), 404, 'not_found'],
      ['a frame of no bytes', Buffer.from(chunkFrameHeader(one.hash, 1)).fill(0, 32), 400, 'invalid'],
      ['a frame longer than any chunk', Buffer.from(chunkFrameHeader(one.hash, MAX_CHUNK_BYTES + 1)), 413, 'too_large'],
    ];
    for (const [what, body, status, code] of cases) {
      const answer = await putBatch(pod, cat, begun.uploadId, body);
      assert.deepEqual([answer.status, answer.json.error?.code], [status, code], what);
    }
    assert.equal((await pod.pod.blobs!.has([one.hash])).size, 0);
    // Another user's upload is not there for them, whatever they send.
    assert.equal((await putBatch(pod, mal, begun.uploadId, framed([one]))).status, 404);
    assert.equal((await pod.pod.blobs!.has([one.hash])).size, 0);
    await refused(cat.op('files.upload.commit', { uploadId: begun.uploadId, hash: sha256(data) }), 'conflict', /send/);
  });

  it('refuses a truncated batch, keeping the whole chunks before the cut, to be proven', async () => {
    const dan = await pod.user('dan');
    const data = bytes(5_000, 73);
    const { chunks, refs } = await cut(data);
    assert.ok(chunks.length >= 4, `${chunks.length} chunks`);
    const begun = await dan.op('files.upload.begin', { path: '/d.bin', size: data.length, chunks: refs });
    const body = framed(chunks.slice(0, 3));
    const answer = await putBatch(pod, dan, begun.uploadId, body.subarray(0, body.length - Math.ceil(chunks[2]!.length / 2)));
    assert.deepEqual([answer.status, answer.json.error?.code], [400, 'invalid']);
    assert.match(answer.json.error!.message, /truncated/);
    const header = await putBatch(pod, dan, begun.uploadId, framed(chunks.slice(0, 1)).subarray(0, CHUNK_FRAME_HEADER_BYTES - 1));
    assert.match(header.json.error!.message, /header.*truncated/);
    const status = await dan.op('files.upload.status', { uploadId: begun.uploadId });
    const stored = new Set(status.prove.map((index) => refs[index]!.hash));
    assert.deepEqual(stored, new Set([refs[0]!.hash, refs[1]!.hash]));
    assert.ok(status.send.includes(2));
  });

  it('begins without the hash: checks what it is given, resumes by path, size and manifest, takes a changed manifest', async () => {
    const eve = await pod.user('eve');
    const data = bytes(8_000, 74);
    const { refs, chunks, hash } = await cut(data);
    await refused(eve.op('files.upload.begin', { path: '/e.bin', size: data.length, hash, chunks: refs }), 'invalid', /together/);
    await refused(eve.op('files.upload.begin', { path: '/e.bin', size: 0, chunks: [] }), 'invalid', /empty file/);
    const begun = await eve.op('files.upload.begin', { path: '/e.bin', size: data.length, chunks: refs.slice(0, 3) });
    await refused(eve.op('files.upload.commit', { uploadId: begun.uploadId, hash }), 'invalid', /manifest has .* of its/);
    // The same start of the same size to the same path is the same upload; another start is another.
    assert.equal((await eve.op('files.upload.begin', { path: '/e.bin', size: data.length, chunks: refs.slice(0, 2) })).uploadId, begun.uploadId);
    const other = await eve.op('files.upload.begin', { path: '/e.bin', size: data.length, chunks: [refs[1]!] });
    assert.notEqual(other.uploadId, begun.uploadId);
    // The file changed after its start: the new entries replace the old from the first that differs.
    const edited = Buffer.from(data);
    edited[data.length - 10]! ^= 0xff;
    const changed = await cut(edited);
    assert.equal(changed.refs[0]!.hash, refs[0]!.hash);
    const page = await eve.op('files.upload.manifest', { uploadId: begun.uploadId, from: 0, chunks: changed.refs });
    assert.equal(page.received, changed.refs.length);
    const answer = await putBatch(pod, eve, begun.uploadId, framed(changed.chunks));
    await eve.op('files.upload.commit', { uploadId: begun.uploadId, hash: changed.hash, proofs: proofsOf(answer) });
    assert.equal(Buffer.compare(await contentOf(pod, eve, '/e.bin'), edited), 0);
    assert.ok(chunks.length > 3);
    // An upload that declared its hash keeps its manifest fixed.
    const fixed = await eve.op('files.upload.begin', { path: '/f.bin', size: data.length, hash, chunkCount: refs.length, chunks: refs.slice(0, 2) });
    await refused(eve.op('files.upload.manifest', { uploadId: fixed.uploadId, from: 0, chunks: changed.refs.slice(0, 1).concat([refs[0]!]) }), 'conflict', /differs/);
  });
});
