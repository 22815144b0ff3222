import type { FileEntry, PodEvent } from '@pod/sdk';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bytes, contentOf, fetchContent, filesDb, refused, upload } from './helpers/files.ts';
import { nextEvent, startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';
import { testProfile } from './helpers/profile.ts';

describe('files: the tree, the trash and versions', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod({ filesVersions: 2 });
  });
  after(() => pod.close());

  it('keeps chunks on disk in the embedded profile and in an S3-compatible bucket in the distributed one', async () => {
    assert.equal(pod.pod.blobs!.kind, testProfile() === 'embedded' ? 'disk' : 's3');
    const ann = await pod.user('ann-blobs');
    const data = bytes(5000, 3);
    const { entry } = await upload(pod, ann, '/stored.bin', data);
    assert.deepEqual(await pod.pod.blobs!.has([entry.hash!]), new Set([entry.hash]), 'a one-chunk file is stored under its own hash');
    assert.equal(Buffer.compare(await contentOf(pod, ann, '/stored.bin'), data), 0);
  });

  it('makes folders, lists them by name in pages, and stats by path or id', async () => {
    const ann = await pod.user('ann');
    await refused(ann.op('files.mkdir', { path: '/a/b/c' }), 'not_found', /parents: true/);
    const made = await ann.op('files.mkdir', { path: '/a/b/c', parents: true });
    assert.equal(made.created, true);
    assert.equal((await ann.op('files.mkdir', { path: '/a/b', parents: true })).created, false);
    await refused(ann.op('files.mkdir', { path: '/a/b' }), 'conflict');
    for (const name of ['e', 'b2', 'Z', 'd', 'é']) await ann.op('files.mkdir', { path: `/a/${name}` });
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ann.op('files.list', { folder: '/a', limit: 2, ...(cursor ? { cursor } : {}) });
      assert.ok(page.entries.length <= 2);
      names.push(...page.entries.map((e) => e.name));
      cursor = page.next;
    } while (cursor);
    assert.deepEqual(names, ['Z', 'b', 'b2', 'd', 'e', 'é'], 'by code point, the same on every engine');
    const stat = await ann.op('files.stat', { target: '/a/b/c' });
    assert.deepEqual(await ann.op('files.stat', { target: stat.entry.id }), stat);
    assert.equal(stat.path, '/a/b/c');
    assert.equal((await ann.op('files.stat', { target: '/' })).entry.kind, 'folder');
    await refused(ann.op('files.list', { folder: '/nothing' }), 'not_found');
  });

  it('renames and moves, keeping ids and contents, and refuses clashes and moves into itself', async () => {
    const ben = await pod.user('ben');
    await ben.op('files.mkdir', { path: '/x/inner', parents: true });
    await ben.op('files.mkdir', { path: '/y' });
    await upload(pod, ben, '/x/inner/note.txt', Buffer.from('hello'));
    const x = (await ben.op('files.stat', { target: '/x' })).entry;
    await refused(ben.op('files.rename', { target: '/x', name: 'y' }), 'conflict', /already there/);
    await refused(ben.op('files.move', { target: '/x', to: '/x/inner' }), 'invalid', /into itself/);
    await refused(ben.op('files.move', { target: '/x', to: '/x' }), 'invalid', /into itself/);
    await refused(ben.op('files.move', { target: '/', to: '/y' }), 'invalid', /root/);
    const moved = await ben.op('files.move', { target: '/x', to: '/y', name: 'x2' });
    assert.equal(moved.entry.id, x.id);
    assert.equal((await ben.op('files.stat', { target: '/y/x2/inner/note.txt' })).path, '/y/x2/inner/note.txt');
    assert.equal((await contentOf(pod, ben, '/y/x2/inner/note.txt')).toString(), 'hello');
    const renamed = await ben.op('files.rename', { target: moved.entry.id, name: 'renamed' });
    assert.equal(renamed.entry.name, 'renamed');
    await refused(ben.op('files.move', { target: '/y/renamed/inner/note.txt', to: '/y/renamed/inner/note.txt' }), 'invalid', /is a file, not a folder/);
  });

  it('copies files and folders at once: the copies share chunks, nothing is stored twice', async () => {
    const cat = await pod.user('cat');
    const data = bytes(300_000, 1);
    await upload(pod, cat, '/src/big.bin', data);
    await upload(pod, cat, '/src/sub/small.txt', Buffer.from('small'));
    const db = filesDb(pod);
    const chunksBefore = Number((await db.selectFrom('files_chunks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const usageBefore = await cat.op('files.usage', {});
    const copy = await cat.op('files.copy', { target: '/src/big.bin', to: '/', name: 'copy.bin' });
    assert.equal(copy.entry.hash, (await cat.op('files.stat', { target: '/src/big.bin' })).entry.hash);
    const tree = await cat.op('files.copy', { target: '/src', to: '/', name: 'dst' });
    assert.equal(tree.entry.kind, 'folder');
    assert.deepEqual(Buffer.compare(await contentOf(pod, cat, '/dst/big.bin'), data), 0);
    assert.equal((await contentOf(pod, cat, '/dst/sub/small.txt')).toString(), 'small');
    await refused(cat.op('files.copy', { target: '/src', to: '/src/sub' }), 'invalid', /into itself/);
    await refused(cat.op('files.copy', { target: '/src/big.bin', to: '/', name: 'copy.bin' }), 'conflict');
    const usage = await cat.op('files.usage', {});
    assert.equal(usage.logicalBytes, usageBefore.logicalBytes * 3 - 5, 'two more copies of big.bin and one of small.txt count toward usage');
    assert.equal(usage.storedBytes, usageBefore.storedBytes, 'no byte stored twice');
    const chunksAfter = Number((await db.selectFrom('files_chunks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    assert.equal(chunksAfter, chunksBefore);
  });

  it('deletes to the trash, restores, and empties it for good', async () => {
    const dan = await pod.user('dan');
    await upload(pod, dan, '/docs/a.txt', Buffer.from('alpha'));
    const folder = (await dan.op('files.stat', { target: '/docs' })).entry;
    const file = (await dan.op('files.stat', { target: '/docs/a.txt' })).entry;
    const trashed = await dan.op('files.delete', { target: '/docs' });
    assert.ok(trashed.entry.trashedAt);
    await refused(dan.op('files.stat', { target: '/docs/a.txt' }), 'not_found');
    await refused(dan.op('files.stat', { target: file.id }), 'not_found', /id/);
    assert.equal((await fetchContent(pod, dan, `id=${file.id}`)).status, 404);
    const listing = await dan.op('files.trash.list', {});
    assert.deepEqual(listing.items.map((i) => [i.entry.id, i.from]), [[folder.id, '/']]);
    assert.deepEqual((await dan.op('files.search', { query: 'a.txt' })).results, [], 'the trash is not searched');
    await dan.op('files.mkdir', { path: '/docs' });
    await refused(dan.op('files.trash.restore', { id: folder.id }), 'conflict');
    await refused(dan.op('files.trash.restore', { id: file.id }), 'invalid', /inside the trashed folder/);
    const restored = await dan.op('files.trash.restore', { id: folder.id, name: 'docs-old' });
    assert.equal(restored.entry.trashedAt, null);
    assert.equal((await contentOf(pod, dan, '/docs-old/a.txt')).toString(), 'alpha');
    await dan.op('files.delete', { target: '/docs-old/a.txt' });
    await dan.op('files.delete', { target: '/docs-old' });
    const usageBefore = (await dan.op('files.usage', {})).logicalBytes;
    assert.equal((await dan.op('files.usage', {})).trashBytes, 5);
    const emptied = await dan.op('files.trash.empty', {});
    assert.deepEqual(emptied, { removed: 2, freedBytes: 5 });
    assert.equal((await dan.op('files.usage', {})).logicalBytes, usageBefore - 5);
    assert.deepEqual((await dan.op('files.trash.list', {})).items, []);
    await refused(dan.op('files.trash.restore', { id: file.id }), 'not_found');
  });

  it('keeps the configured number of earlier versions and restores one as a new version', async () => {
    const eve = await pod.user('eve');
    const contents = ['one', 'two', 'three', 'four'].map((text) => Buffer.from(text));
    for (const content of contents) await upload(pod, eve, '/v.txt', content);
    const { versions } = await eve.op('files.versions', { target: '/v.txt' });
    assert.equal(versions.length, 3, 'the current one and two earlier (filesVersions: 2)');
    assert.deepEqual(versions.map((v) => v.current), [true, false, false]);
    assert.equal((await eve.op('files.usage', {})).logicalBytes, 4 + 5 + 3, 'pruned versions leave the usage');
    const oldest = versions[2]!;
    const earlier = await fetchContent(pod, eve, `path=/v.txt&version=${oldest.id}`);
    assert.equal(earlier.body.toString(), 'two');
    const restored = await eve.op('files.versions.restore', { target: '/v.txt', version: oldest.id });
    assert.equal(restored.entry.hash, oldest.hash);
    assert.equal((await contentOf(pod, eve, '/v.txt')).toString(), 'two');
    const after = await eve.op('files.versions', { target: '/v.txt' });
    assert.equal(after.versions.length, 3);
    assert.ok(after.versions.some((v) => !v.current && v.hash === versions[0]!.hash), 'the replaced current version is kept');
    await refused(eve.op('files.upload.begin', { path: '/v.txt', size: 3, hash: 'a'.repeat(64), chunkCount: 1, chunks: [{ hash: 'b'.repeat(64), size: 3 }], overwrite: false }), 'conflict', /exists already/);
    await refused(eve.op('files.versions.restore', { target: '/v.txt', version: 999_999 }), 'not_found');
  });

  it('searches my files by name, type, size and date, in pages', async () => {
    const fay = await pod.user('fay');
    await upload(pod, fay, '/pics/Holiday.PNG', bytes(2000, 3));
    await upload(pod, fay, '/pics/holiday-2.jpg', bytes(500, 4));
    await upload(pod, fay, '/notes/holiday plans.txt', Buffer.from('beach'));
    await upload(pod, fay, '/notes/100%_sure.txt', Buffer.from('x'));
    const names = async (body: Parameters<TestUser['op']>[1]) => (await fay.op('files.search', body as never)).results.map((r) => r.path);
    assert.deepEqual(await names({ query: 'HOLIDAY' }), ['/pics/Holiday.PNG', '/notes/holiday plans.txt', '/pics/holiday-2.jpg']);
    assert.deepEqual(await names({ type: 'image/' }), ['/pics/Holiday.PNG', '/pics/holiday-2.jpg']);
    assert.deepEqual(await names({ type: 'image/jpeg' }), ['/pics/holiday-2.jpg']);
    assert.deepEqual(await names({ query: 'holiday', minSize: 1000 }), ['/pics/Holiday.PNG']);
    assert.deepEqual(await names({ query: '%' }), ['/notes/100%_sure.txt'], 'LIKE wildcards are taken literally');
    assert.deepEqual(await names({ kind: 'folder' }), ['/notes', '/pics']);
    assert.deepEqual(await names({ query: 'holiday', modifiedAfter: new Date(Date.now() + 60_000).toISOString() }), []);
    const first = await fay.op('files.search', { query: 'holiday', limit: 2 });
    const second = await fay.op('files.search', { query: 'holiday', limit: 2, cursor: first.next! });
    assert.deepEqual([...first.results, ...second.results].map((r) => r.entry.name), ['Holiday.PNG', 'holiday plans.txt', 'holiday-2.jpg']);
    assert.equal(second.next, undefined);
    await refused(fay.op('files.search', { cursor: 'not a cursor' }), 'invalid', /cursor/);
  });

  it('tells my other devices: old state plus events equals a fresh listing', async () => {
    const gus = await pod.user('gus');
    await gus.op('files.mkdir', { path: '/keep' });
    const client = await gus.connect();
    const state = new Map<number, FileEntry>((await gus.op('files.list', {})).entries.map((e) => [e.id, e]));
    const events: PodEvent[] = [];
    client.on('files.changed', (event) => events.push(event));
    await gus.op('files.mkdir', { path: '/new' });
    await upload(pod, gus, '/file.txt', Buffer.from('v1'));
    await gus.op('files.rename', { target: '/new', name: 'renamed' });
    await gus.op('files.delete', { target: '/keep' });
    const last = nextEvent(client, (e) => e.type === 'files.changed' && e.body.removed.length > 0);
    await gus.op('files.trash.empty', {});
    await last;
    for (const event of events) {
      if (event.type !== 'files.changed') continue;
      for (const entry of event.body.entries) state.set(entry.id, entry);
      for (const id of event.body.removed) state.delete(id);
    }
    const live = [...state.values()].filter((e) => e.parentId === 0 && e.trashedAt === null).sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(live, (await gus.op('files.list', {})).entries);
  });

  it('shows each user only their own tree: another user\'s ids answer not_found, paths name their own', async () => {
    const hal = await pod.user('hal');
    const ida = await pod.user('ida');
    await upload(pod, hal, '/secret/plan.txt', Buffer.from('secret plan'));
    const file = (await hal.op('files.stat', { target: '/secret/plan.txt' })).entry;
    const folder = (await hal.op('files.stat', { target: '/secret' })).entry;
    for (const attempt of [
      () => ida.op('files.stat', { target: file.id }),
      () => ida.op('files.list', { folder: folder.id }),
      () => ida.op('files.stat', { target: '/secret/plan.txt' }),
      () => ida.op('files.rename', { target: file.id, name: 'mine.txt' }),
      () => ida.op('files.move', { target: file.id, to: '/' }),
      () => ida.op('files.copy', { target: file.id, to: '/' }),
      () => ida.op('files.delete', { target: file.id }),
      () => ida.op('files.versions', { target: file.id }),
      () => ida.op('files.versions.restore', { target: file.id, version: file.version! }),
    ]) {
      await refused(attempt(), 'not_found');
    }
    await ida.op('files.mkdir', { path: '/secret' });
    await refused(ida.op('files.move', { target: '/secret', to: folder.id }), 'not_found');
    await hal.op('files.delete', { target: file.id });
    await refused(ida.op('files.trash.restore', { id: file.id }), 'not_found');
    await refused(ida.op('files.trash.empty', { ids: [file.id] }), 'not_found');
    assert.deepEqual((await ida.op('files.search', { query: 'plan' })).results, []);
    assert.equal((await fetchContent(pod, ida, `id=${file.id}`)).status, 404);
    assert.equal((await ida.op('files.usage', {})).files, 0);
    assert.equal((await hal.op('files.trash.list', {})).items.length, 1, 'nothing of hal\'s changed');
  });
});
