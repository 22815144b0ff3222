import { chunkAll, nodeSha256 } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { bytes, contentOf, filesDb, refused, SMALL_CHUNKS, upload } from './helpers/files.ts';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The write operations the files app committed for `user` so far (each answer is recorded in its commit). */
async function committedOps(pod: TestPod, user: TestUser): Promise<string[]> {
  const { rows } = await sql<{ op: string }>`select r.op from requests r join users u on u.id = r.user_id where u.name = ${user.name} order by r.created_at`.execute(pod.pod.store.db);
  return rows.map((row) => row.op);
}

/** A fetch that notes each request's method and path. */
function countingFetch(): { fetch: typeof fetch; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      seen.push(`${init?.method ?? 'GET'} ${url.pathname}`);
      return fetch(input, init);
    },
  };
}

async function putWhole(pod: TestPod, token: string | undefined, query: Record<string, string>, body?: Uint8Array): Promise<{ status: number; json: { entry?: { hash: string; size: number }; error?: { code: string; message: string; data?: Record<string, unknown> } } }> {
  const response = await fetch(`${pod.url}/v1/files/content?${new URLSearchParams(query)}`, { method: 'PUT', headers: token ? { authorization: `Bearer ${token}` } : {}, body: (body ?? new Uint8Array()) as Uint8Array<ArrayBuffer> });
  return { status: response.status, json: (await response.json()) as never };
}

describe('files: what an upload costs the server', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('commits a small file in one request, and one again without its bytes when the pod holds them', async () => {
    const ann = await pod.user('ann');
    const data = bytes(100 * 1024, 60);
    const first = countingFetch();
    const made = await upload(pod, ann, '/small.bin', data, { fetch: first.fetch });
    assert.deepEqual(first.seen, ['PUT /v1/files/content', 'PUT /v1/files/content'], 'a probe without the bytes, then the bytes');
    assert.deepEqual([made.chunks, made.chunksSent, made.bytesSent], [1, 1, data.length]);
    assert.deepEqual(await committedOps(pod, ann), ['files.upload.put']);
    assert.equal(Buffer.compare(await contentOf(pod, ann, '/small.bin'), data), 0);

    const again = countingFetch();
    const copy = await upload(pod, ann, '/copy.bin', data, { fetch: again.fetch, type: 'text/plain' });
    assert.deepEqual(again.seen, ['PUT /v1/files/content']);
    assert.deepEqual([copy.chunksSent, copy.bytesSent, copy.entry.type], [0, 0, 'text/plain']);
    assert.deepEqual(await committedOps(pod, ann), ['files.upload.put', 'files.upload.put']);
    await refused(upload(pod, ann, '/copy.bin', data, { overwrite: false }), 'conflict', /exists already/);
  });

  it('records the chunks of a large upload in its commit: no store write per chunk, one request carries them all', async () => {
    const bea = await pod.user('bea');
    const data = bytes(40_000, 61);
    const counted = countingFetch();
    const result = await upload(pod, bea, '/many.bin', data, { chunkSizes: SMALL_CHUNKS, fetch: counted.fetch });
    assert.ok(result.chunks > 40, `${result.chunks} chunks`);
    // files.upload.streamed: the gateway's word that the one batch carried the whole file (so the commit reads nothing back).
    assert.deepEqual(await committedOps(pod, bea), ['files.upload.begin', 'files.upload.streamed', 'files.upload.commit']);
    assert.deepEqual(counted.seen.filter((line) => line.startsWith('PUT')), [`PUT /v1/files/uploads/${counted.seen.find((line) => line.includes('/uploads/'))!.split('/')[4]}/chunks`]);
    assert.equal(Buffer.compare(await contentOf(pod, bea, '/many.bin'), data), 0);
  });

  it('sends the receipts a commit cannot carry ahead of it, a page at a time', async () => {
    const cy = await pod.user('cy');
    const data = bytes(400_000, 66);
    const result = await upload(pod, cy, '/long.bin', data, { chunkSizes: SMALL_CHUNKS });
    assert.ok(result.chunksSent > 1000, `${result.chunksSent} chunks sent`);
    assert.deepEqual(await committedOps(pod, cy), ['files.upload.begin', 'files.upload.manifest', 'files.upload.streamed', 'files.upload.prove', 'files.upload.commit']);
    assert.equal(Buffer.compare(await contentOf(pod, cy, '/long.bin'), data), 0);
  });

  it('stores a chunk PUT as a blob only; the commit takes the PUT\'s proof, and no other', async () => {
    const cal = await pod.user('cal');
    const mal = await pod.user('mal');
    const data = bytes(3000, 62);
    const { chunks, file } = await chunkAll([data], { sha256: nodeSha256, ...SMALL_CHUNKS, withBytes: true });
    const refs = chunks.map((c) => ({ hash: c.hash, size: c.length }));
    const begun = await cal.op('files.upload.begin', { path: '/p.bin', size: file.size, hash: file.hash, chunkCount: refs.length, chunks: refs });
    const proofs = new Map<string, string>();
    for (const chunk of chunks) {
      const response = await fetch(`${pod.url}/v1/files/uploads/${begun.uploadId}/chunks/${chunk.hash}`, { method: 'PUT', headers: { authorization: `Bearer ${cal.token}` }, body: chunk.bytes! as Uint8Array<ArrayBuffer> });
      proofs.set(chunk.hash, ((await response.json()) as { proof: string }).proof);
    }
    const rows = await filesDb(pod).selectFrom('files_chunks').select('hash').where('hash', 'in', [...proofs.keys()]).execute();
    assert.deepEqual(rows, [], 'no chunk row before the commit');
    assert.equal((await pod.pod.blobs!.has([...proofs.keys()])).size, proofs.size);
    assert.deepEqual(await committedOps(pod, cal), ['files.upload.begin']);

    // Mal names the same chunks, which are stored but unrecorded: mal must send them, and cal's proofs are worth nothing to mal.
    const stolen = await mal.op('files.upload.begin', { path: '/p.bin', size: file.size, hash: file.hash, chunkCount: refs.length, chunks: refs });
    assert.deepEqual(stolen.prove, []);
    await refused(mal.op('files.upload.commit', { uploadId: stolen.uploadId }), 'conflict', /send/);
    await refused(mal.op('files.upload.commit', { uploadId: stolen.uploadId, proofs: [...proofs].map(([hash, proof]) => ({ hash, proof })) }), 'forbidden', /proof of possession/);

    const list = [...proofs].map(([hash, proof]) => ({ hash, proof }));
    await cal.op('files.upload.commit', { uploadId: begun.uploadId, proofs: list });
    assert.equal(Buffer.compare(await contentOf(pod, cal, '/p.bin'), data), 0);
    await refused(mal.op('files.upload.commit', { uploadId: stolen.uploadId }), 'conflict', /prove/);
    assert.deepEqual((await mal.op('files.list', {})).entries, []);
  });

  it('refuses a small file whose body lies, and makes nothing', async () => {
    const dee = await pod.user('dee');
    const data = bytes(5000, 63);
    const query = { path: '/w.bin', size: String(data.length), hash: sha256(data) };
    const cases: Array<[string, Promise<{ status: number; json: { error?: { code: string } } }>, number, string]> = [
      ['no session', putWhole(pod, undefined, query, data), 401, 'unauthorized'],
      ['another hash', putWhole(pod, dee.token, { ...query, hash: sha256(Buffer.from('x')) }, data), 400, 'invalid'],
      ['a short body', putWhole(pod, dee.token, query, data.subarray(1)), 400, 'invalid'],
      ['a long body', putWhole(pod, dee.token, query, Buffer.concat([data, data])), 413, 'too_large'],
      ['too big to send whole', putWhole(pod, dee.token, { ...query, size: String(64 * 1024 * 1024) }, data), 413, 'too_large'],
      ['no body for bytes the pod lacks', putWhole(pod, dee.token, query), 409, 'conflict'],
      ['the root', putWhole(pod, dee.token, { ...query, path: '/' }, data), 400, 'invalid'],
      ['a path that climbs', putWhole(pod, dee.token, { ...query, path: '/a/../b' }, data), 400, 'invalid'],
    ];
    for (const [what, answer, status, code] of cases) {
      const got = await answer;
      assert.deepEqual([got.status, got.json.error?.code], [status, code], `${what}: ${JSON.stringify(got.json)}`);
    }
    assert.deepEqual((await dee.op('files.list', {})).entries, []);
    const made = await putWhole(pod, dee.token, query, data);
    assert.equal(made.status, 200, JSON.stringify(made.json));
    assert.equal(made.json.entry?.hash, sha256(data));
  });

  it('never makes a file from a hash alone: bytes another user holds must be sent', async () => {
    const eli = await pod.user('eli');
    const fay = await pod.user('fay');
    const secret = bytes(2000, 64);
    await upload(pod, eli, '/secret.bin', secret);
    const query = { path: '/mine.bin', size: String(secret.length), hash: sha256(secret) };
    const probe = await putWhole(pod, fay.token, query);
    assert.deepEqual([probe.status, probe.json.error?.code, probe.json.error?.data], [409, 'conflict', { send: [], prove: [0] }]);
    assert.deepEqual((await fay.op('files.list', {})).entries, []);
    const sent = await upload(pod, fay, '/mine.bin', secret);
    assert.deepEqual([sent.chunksSent, sent.bytesSent], [1, secret.length]);
    assert.equal(Buffer.compare(await contentOf(pod, fay, '/mine.bin'), secret), 0);
  });

  it('writes a small file into a folder shared for writing, on its owner\'s tree', async () => {
    const gus = await pod.user('gus');
    const hal = await pod.user('hal');
    await gus.op('files.mkdir', { path: '/drop' });
    await gus.op('files.share', { target: '/drop', with: [hal.name], access: 'write' });
    const data = bytes(700, 65);
    await upload(pod, hal, '~gus/drop/note.bin', data);
    assert.equal(Buffer.compare(await contentOf(pod, gus, '/drop/note.bin'), data), 0);
    assert.deepEqual((await hal.op('files.list', {})).entries, []);
  });
});
