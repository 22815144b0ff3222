import { chunkAll, nodeSha256 } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { collectGarbage, markUnreferenced, removeDying } from '../src/apps/files/gc.ts';
import { assertChunkInvariants, bytes, contentOf, filesDb, gcContext, refused, SMALL_CHUNKS, upload } from './helpers/files.ts';
import { expectedStoreKind } from './helpers/profile.ts';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

/** Far enough ahead that no grace period protects anything, but before open uploads expire. */
const pastGrace = () => Date.now() + 2 * 60 * 60 * 1000;

/** Blocks that files share, so that files share chunks. */
const BLOCKS = Array.from({ length: 6 }, (_, i) => bytes(700, 100 + i));
const contentOfBlocks = (picks: number[]) => Buffer.concat(picks.map((i) => BLOCKS[i]!));

/** PUTs every chunk of `data`; answers them with the proofs the PUTs answered, for the commit. */
async function putChunks(pod: TestPod, user: TestUser, uploadId: string, data: Buffer): Promise<Array<{ hash: string; proof: string }>> {
  const { chunks } = await chunkAll([data], { sha256: nodeSha256, ...SMALL_CHUNKS, withBytes: true });
  const proofs = new Map<string, string>();
  for (const chunk of chunks) {
    const response = await fetch(`${pod.url}/v1/files/uploads/${uploadId}/chunks/${chunk.hash}`, { method: 'PUT', headers: { authorization: `Bearer ${user.token}` }, body: chunk.bytes! as Uint8Array<ArrayBuffer> });
    assert.equal(response.status, 200, await response.clone().text());
    proofs.set(chunk.hash, ((await response.json()) as { proof: string }).proof);
  }
  return [...proofs].map(([hash, proof]) => ({ hash, proof }));
}

async function begin(user: TestUser, path: string, data: Buffer) {
  const { chunks, file } = await chunkAll([data], { sha256: nodeSha256, ...SMALL_CHUNKS });
  return user.op('files.upload.begin', { path, size: file.size, hash: file.hash, chunkCount: chunks.length, chunks: chunks.map((c) => ({ hash: c.hash, size: c.length })) });
}

/** Makes the next write of `user_id`'s usage fail inside its transaction: a crash between a commit's steps. */
async function injectCrash(pod: TestPod, userId: number): Promise<() => Promise<void>> {
  const db = filesDb(pod);
  if (expectedStoreKind() === 'sqlite') {
    for (const event of ['insert', 'update']) {
      await sql.raw(`create trigger crash_${event} before ${event} on files_usage when new.user_id = ${userId} begin select raise(abort, 'injected crash'); end`).execute(db);
    }
    // The pod may have restarted since: the repair uses the store it has then.
    return async () => {
      for (const event of ['insert', 'update']) await sql.raw(`drop trigger crash_${event}`).execute(filesDb(pod));
    };
  }
  await sql.raw(`create function crash() returns trigger language plpgsql as $$ begin if new.user_id = ${userId} then raise exception 'injected crash'; end if; return new; end $$`).execute(db);
  await sql.raw('create trigger crash before insert or update on files_usage for each row execute function crash()').execute(db);
  return async () => {
    await sql.raw('drop trigger crash on files_usage').execute(filesDb(pod));
    await sql.raw('drop function crash()').execute(filesDb(pod));
  };
}

describe('files: garbage collection never takes a chunk that is needed', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('keeps every chunk of live files, kept versions and the trash through any sequence of changes', async () => {
    const paths = ['/a', '/b', '/dir/c', '/dir/d'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('upload' as const), path: fc.constantFrom(...paths), blocks: fc.array(fc.nat(5), { minLength: 1, maxLength: 5 }) }),
      fc.record({ kind: fc.constant('copy' as const), path: fc.constantFrom(...paths), to: fc.constantFrom('/', '/dir') }),
      fc.record({ kind: fc.constantFrom('delete' as const, 'versions' as const), path: fc.constantFrom(...paths) }),
      fc.record({ kind: fc.constantFrom('restore' as const, 'empty' as const, 'deleteDir' as const) }),
    );
    let run = 0;
    let done = 0;
    await fc.assert(
      // Each sequence starts with a file in place, so the steps after it have something to act on.
      fc.asyncProperty(fc.array(op, { minLength: 8, maxLength: 20 }).map((rest) => [{ kind: 'upload' as const, path: '/a', blocks: [1, 2, 3] }, ...rest]), async (steps) => {
        const user = await pod.user(`gc${run++}`);
        for (const step of steps) {
          // Refusals (a path that is not there, a name taken) are part of the sequence, not failures.
          await (async () => {
            if (step.kind === 'upload') {
              const data = contentOfBlocks(step.blocks);
              await upload(pod, user, step.path, data, { chunkSizes: SMALL_CHUNKS });
            } else if (step.kind === 'copy') {
              await user.op('files.copy', { target: step.path, to: step.to, name: `copy-${Math.random().toString(36).slice(2, 8)}` });
            } else if (step.kind === 'delete') {
              await user.op('files.delete', { target: step.path });
            } else if (step.kind === 'versions') {
              const { versions } = await user.op('files.versions', { target: step.path });
              const oldest = versions[versions.length - 1]!;
              if (!oldest.current) await user.op('files.versions.restore', { target: step.path, version: oldest.id });
            } else if (step.kind === 'restore') {
              const [item] = (await user.op('files.trash.list', {})).items;
              if (item) await user.op('files.trash.restore', { id: item.entry.id, name: `restored-${item.entry.id}` });
            } else if (step.kind === 'deleteDir') {
              await user.op('files.delete', { target: '/dir' });
            } else {
              await user.op('files.trash.empty', {});
            }
            done++;
          })().catch((error: { code?: string }) => assert.ok(['not_found', 'conflict', 'invalid'].includes(error.code ?? ''), String(error)));
          await collectGarbage(gcContext(pod), pastGrace(), { orphans: true });
          await assertChunkInvariants(pod);
        }
        // Every live file reads back whole; what the collector may take, it took.
        for (const { path, entry } of (await user.op('files.search', { kind: 'file', limit: 200 })).results) {
          const body = await contentOf(pod, user, path);
          assert.equal(createHash('sha256').update(body).digest('hex'), entry.hash);
        }
        const unreferenced = await filesDb(pod).selectFrom('files_chunks').select('hash').where('refs', '=', 0).execute();
        assert.deepEqual(unreferenced, [], 'no unreferenced chunk outlives a collection past its grace');
      }),
      { numRuns: 4 },
    );
    assert.ok(done > 4, `only ${done} steps took effect, the first upload of each sequence included`);
  });

  it('protects the chunks of an upload in progress until it expires', async () => {
    const ann = await pod.user('ann');
    const data = bytes(4000, 50);
    const begun = await begin(ann, '/pending.bin', data);
    const proofs = await putChunks(pod, ann, begun.uploadId, data);
    const hashes = proofs.map((c) => c.hash);
    await collectGarbage(gcContext(pod), pastGrace(), { orphans: true });
    assert.equal((await pod.pod.blobs!.has(hashes)).size, new Set(hashes).size, 'an open upload keeps its chunks');
    await ann.op('files.upload.commit', { uploadId: begun.uploadId, proofs });
    assert.equal(Buffer.compare(await contentOf(pod, ann, '/pending.bin'), data), 0);

    const other = bytes(4000, 51);
    const stale = await begin(ann, '/abandoned.bin', other);
    const staleChunks = (await putChunks(pod, ann, stale.uploadId, other)).map((c) => c.hash);
    await collectGarbage(gcContext(pod), Date.parse(stale.expiresAt) + 2 * 60 * 60 * 1000);
    assert.equal((await pod.pod.blobs!.has(staleChunks)).size, 0, 'once the upload expired, its unreferenced chunks went');
    await refused(ann.op('files.upload.commit', { uploadId: stale.uploadId }), 'not_found', /expired/);
    assert.equal(Buffer.compare(await contentOf(pod, ann, '/pending.bin'), data), 0);
    await assertChunkInvariants(pod);
  });

  it('counts references in the commit\'s own transaction: a crash half-way changes nothing', async () => {
    const ben = await pod.user('ben');
    const shared = contentOfBlocks([0, 1, 2, 3]);
    await upload(pod, ben, '/first.bin', shared, { chunkSizes: SMALL_CHUNKS });
    const userId = Number((await pod.pod.store.db.selectFrom('users').select('id').where('name', '=', 'ben').executeTakeFirstOrThrow()).id);
    const repair = await injectCrash(pod, userId);
    const edited = contentOfBlocks([0, 1, 4, 5]);
    await refused(upload(pod, ben, '/second.bin', edited, { chunkSizes: SMALL_CHUNKS }), 'internal');
    await assertChunkInvariants(pod);
    await refused(ben.op('files.stat', { target: '/second.bin' }), 'not_found');
    await pod.restart();
    await assertChunkInvariants(pod);
    await collectGarbage(gcContext(pod), pastGrace(), { orphans: true });
    await assertChunkInvariants(pod);
    await repair();
    const resumed = await upload(pod, ben, '/second.bin', edited, { chunkSizes: SMALL_CHUNKS });
    assert.equal(resumed.chunksSent, 0, 'the chunks sent before the crash were kept for the open upload');
    assert.equal(Buffer.compare(await contentOf(pod, ben, '/second.bin'), edited), 0);
    assert.equal(Buffer.compare(await contentOf(pod, ben, '/first.bin'), shared), 0);
    await assertChunkInvariants(pod);
  });

  it('finishes after a collector crashed between marking a chunk and removing it', async () => {
    const cal = await pod.user('cal');
    const data = bytes(3000, 52);
    await upload(pod, cal, '/gone.bin', data, { chunkSizes: SMALL_CHUNKS });
    await cal.op('files.delete', { target: '/gone.bin' });
    await cal.op('files.trash.empty', {});
    assert.ok((await markUnreferenced(gcContext(pod), pastGrace())) > 0);
    await pod.restart();
    // Marked chunks count as absent: an upload of the same bytes must send them, and waits while they are removed.
    const begun = await begin(cal, '/back.bin', data);
    assert.equal(begun.prove.length, 0);
    assert.ok(begun.send.length > 0);
    const { chunks } = await chunkAll([data], { sha256: nodeSha256, ...SMALL_CHUNKS, withBytes: true });
    const first = chunks[begun.send[0]!]!;
    const blocked = await fetch(`${pod.url}/v1/files/uploads/${begun.uploadId}/chunks/${first.hash}`, { method: 'PUT', headers: { authorization: `Bearer ${cal.token}` }, body: first.bytes! as Uint8Array<ArrayBuffer> });
    assert.equal(blocked.status, 503);
    await removeDying(gcContext(pod));
    await cal.op('files.upload.commit', { uploadId: begun.uploadId, proofs: await putChunks(pod, cal, begun.uploadId, data) });
    assert.equal(Buffer.compare(await contentOf(pod, cal, '/back.bin'), data), 0);
    await assertChunkInvariants(pod);
  });

  it('collects what an upload that expired sent, but not what another open upload also names', async () => {
    const eve = await pod.user('eve');
    const left = bytes(3000, 55);
    const taken = bytes(3000, 56);
    const abandoned = await begin(eve, '/left.bin', Buffer.concat([left, taken]));
    const sent = (await putChunks(pod, eve, abandoned.uploadId, Buffer.concat([left, taken]))).map((c) => c.hash);
    // A chunk PUT records nothing: the blobs are there, no row knows them.
    assert.deepEqual(await filesDb(pod).selectFrom('files_chunks').select('hash').where('hash', 'in', sent).execute(), []);
    const later = await begin(eve, '/taken.bin', taken);
    const { chunks } = await chunkAll([taken], { sha256: nodeSha256, ...SMALL_CHUNKS });
    const named = new Set(chunks.map((c) => c.hash));
    const expired = Date.parse(abandoned.expiresAt) + 1;
    assert.ok(expired < Date.parse(later.expiresAt));
    await collectGarbage(gcContext(pod), expired);
    const kept = await pod.pod.blobs!.has(sent);
    assert.deepEqual(new Set(sent.filter((hash) => kept.has(hash))), new Set(sent.filter((hash) => named.has(hash))), 'only the chunks the open upload names are kept');
    // Resuming the other upload, eve proves the kept chunks instead of sending them.
    const result = await upload(pod, eve, '/taken.bin', taken, { chunkSizes: SMALL_CHUNKS });
    assert.equal(result.chunksSent, [...named].filter((hash) => !kept.has(hash)).length);
    assert.equal(Buffer.compare(await contentOf(pod, eve, '/taken.bin'), taken), 0);
    await assertChunkInvariants(pod);
  });

  it('removes blobs no upload recorded, but not those an open upload is still sending', async () => {
    const dee = await pod.user('dee');
    const blobs = pod.pod.blobs!;
    const orphan = bytes(500, 53);
    const orphanHash = createHash('sha256').update(orphan).digest('hex');
    await blobs.put(orphanHash, orphan);
    const pending = bytes(600, 54);
    const begun = await begin(dee, '/pending.bin', pending);
    const { chunks } = await chunkAll([pending], { sha256: nodeSha256, ...SMALL_CHUNKS, withBytes: true });
    // The gateway stored this one, and its process died before telling the files app.
    await blobs.put(chunks[0]!.hash, chunks[0]!.bytes!);
    const report = await collectGarbage(gcContext(pod), Date.now(), { orphans: true });
    assert.ok(report.orphansCollected >= 1);
    assert.equal((await blobs.has([orphanHash])).size, 0);
    assert.equal((await blobs.has([chunks[0]!.hash])).size, 1);
    await dee.op('files.upload.commit', { uploadId: begun.uploadId, proofs: await putChunks(pod, dee, begun.uploadId, pending) });
    assert.equal(Buffer.compare(await contentOf(pod, dee, '/pending.bin'), pending), 0);
  });
});
