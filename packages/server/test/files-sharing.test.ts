import type { FileEntry, PodEvent } from '@pod/sdk';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contentOf, refused, upload } from './helpers/files.ts';
import { befriend, nextEvent, startTestPod, type TestPod } from './helpers/pod.ts';

const changed = (event: PodEvent, id: number) => event.type === 'files.changed' && (event.body.entries.some((entry: FileEntry) => entry.id === id) || event.body.removed.includes(id));

describe('files: sharing with users and groups, shared with me, publishing and the universe', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod({ filesQuotaBytes: 10_000 });
  });
  after(() => pod.close());

  it('shares with named users, lists the shares, and answers not_found for a user who does not exist', async () => {
    const [ann, bob, cat] = await Promise.all([pod.user('sh-ann'), pod.user('sh-bob'), pod.user('sh-cat')]);
    await upload(pod, ann, '/docs/plan.txt', Buffer.from('the plan'));
    const { shares } = await ann.op('files.share', { target: '/docs', with: [bob.name, cat.name], access: 'write' });
    assert.deepEqual(shares.map((share) => [share.grantee, share.access, share.item.path]), [
      [{ kind: 'user', name: bob.name }, 'write', '/docs'],
      [{ kind: 'user', name: cat.name }, 'write', '/docs'],
    ]);
    // Sharing again changes the access, it adds no second grant.
    await ann.op('files.share', { target: '/docs', with: [cat.name], access: 'read' });
    const listed = await ann.op('files.shares', { target: '/docs' });
    assert.deepEqual(listed.shares.map((share) => `${share.grantee.name}:${share.access}`), [`${bob.name}:write`, `${cat.name}:read`]);
    assert.equal(listed.published, false);
    const unknown = await refused(ann.op('files.share', { target: '/docs', with: ['sh-nobody'] }), 'not_found');
    const unknownToo = await refused(ann.op('files.share', { target: '/docs', with: ['sh-nobody2'] }), 'not_found');
    assert.equal(unknown.message.replace('sh-nobody', 'X'), unknownToo.message.replace('sh-nobody2', 'X'));
    await refused(ann.op('files.share', { target: '/docs', group: 'No Such Group' }), 'not_found');
    await refused(ann.op('files.share', { target: '/docs', with: [ann.name] }), 'invalid');

    const shared = await bob.op('files.shared', {});
    assert.deepEqual(shared.items.map((item) => [item.owner, item.path, item.access, item.via]), [[ann.name, `~${ann.name}/docs`, 'write', 'direct']]);
    assert.deepEqual(await contentOf(pod, bob, `~${ann.name}/docs/plan.txt`), Buffer.from('the plan'));
    const listing = await bob.op('files.list', { folder: `~${ann.name}/docs` });
    assert.equal(listing.folder.path, `~${ann.name}/docs`);
    assert.deepEqual(listing.entries.map((entry) => entry.name), ['plan.txt']);

    assert.equal((await ann.op('files.unshare', { target: '/docs', with: [bob.name] })).removed, 1);
    assert.deepEqual((await bob.op('files.shared', {})).items, []);
    await refused(bob.op('files.list', { folder: `~${ann.name}/docs` }), 'not_found');
  });

  it('lets a writer upload, make folders, rename and move inside a shared folder, all on the owner\'s quota and in the owner\'s trash', async () => {
    const [own, wri] = await Promise.all([pod.user('sw-own'), pod.user('sw-wri')]);
    await own.op('files.mkdir', { path: '/team/inbox', parents: true });
    await own.op('files.share', { target: '/team', with: [wri.name], access: 'write' });
    const ownerUsage = (await own.op('files.usage', {})).logicalBytes;
    await upload(pod, wri, `~${own.name}/team/inbox/report.txt`, Buffer.from('x'.repeat(1000)));
    assert.equal((await own.op('files.usage', {})).logicalBytes, ownerUsage + 1000, 'the owner pays for what is written into their tree');
    assert.equal((await wri.op('files.usage', {})).logicalBytes, 0);
    await upload(pod, wri, `~${own.name}/team/inbox/report.txt`, Buffer.from('y'.repeat(1000)));
    assert.equal((await own.op('files.versions', { target: '/team/inbox/report.txt' })).versions.length, 2);
    const made = await wri.op('files.mkdir', { path: `~${own.name}/team/archive/2026`, parents: true });
    assert.equal(made.created, true);
    const report = (await wri.op('files.stat', { target: `~${own.name}/team/inbox/report.txt` })).entry;
    await wri.op('files.move', { target: report.id, to: `~${own.name}/team/archive/2026` });
    assert.equal((await own.op('files.stat', { target: report.id })).path, '/team/archive/2026/report.txt');
    await wri.op('files.delete', { target: report.id });
    assert.deepEqual((await own.op('files.trash.list', {})).items.map((item) => item.entry.id), [report.id]);
    assert.deepEqual((await wri.op('files.trash.list', {})).items, []);
    // Past the owner's quota, refused as for the owner.
    await refused(upload(pod, wri, `~${own.name}/team/big.bin`, Buffer.alloc(20_000, 1)), 'too_large');
    // Nothing leaves the owner's tree by a move; a copy goes into the copier's tree, on their quota.
    await upload(pod, wri, `~${own.name}/team/keep.txt`, Buffer.from('keep'));
    await refused(wri.op('files.move', { target: `~${own.name}/team/keep.txt`, to: '/' }), 'invalid');
    const copy = await wri.op('files.copy', { target: `~${own.name}/team/keep.txt`, to: '/' });
    assert.equal((await wri.op('files.stat', { target: copy.entry.id })).path, '/keep.txt');
    assert.equal((await wri.op('files.usage', {})).logicalBytes, 4);
  });

  it('tells grantees by name of changes to what they were given, and of a grant that ended', async () => {
    const [own, reader] = await Promise.all([pod.user('se-own'), pod.user('se-read')]);
    await own.op('files.mkdir', { path: '/shared' });
    const client = await reader.connect();
    const folder = (await own.op('files.stat', { target: '/shared' })).entry;
    const granted = nextEvent(client, (event) => changed(event, folder.id));
    await own.op('files.share', { target: folder.id, with: [reader.name] });
    await granted;
    const arrival = nextEvent(client, (event) => event.type === 'files.changed' && event.body.entries.some((entry: FileEntry) => entry.name === 'new.txt'));
    await upload(pod, own, '/shared/new.txt', Buffer.from('new'));
    await arrival;
    const ended = nextEvent(client, (event) => event.type === 'files.changed' && event.body.removed.includes(folder.id));
    await own.op('files.unshare', { target: folder.id, all: true });
    await ended;
  });

  it('shares with a buddy group: members read while they are in it, not before and not after', async () => {
    const [own, pal, other] = await Promise.all([pod.user('sg-own'), pod.user('sg-pal'), pod.user('sg-other')]);
    await befriend(own, pal);
    await befriend(own, other);
    await own.op('buddies.move', { name: pal.name, group: 'Crew' });
    await upload(pod, own, '/crew/notes.txt', Buffer.from('notes'));
    await own.op('files.share', { target: '/crew', group: 'Crew' });
    const seen = await pal.op('files.shared', {});
    assert.deepEqual(seen.items.map((item) => [item.path, item.via, item.group]), [[`~${own.name}/crew`, 'group', 'Crew']]);
    assert.deepEqual(await contentOf(pod, pal, `~${own.name}/crew/notes.txt`), Buffer.from('notes'));
    await refused(other.op('files.stat', { target: `~${own.name}/crew/notes.txt` }), 'not_found');
    await own.op('buddies.move', { name: pal.name, group: 'Elsewhere' });
    await refused(pal.op('files.stat', { target: `~${own.name}/crew/notes.txt` }), 'not_found');
    await own.op('buddies.move', { name: other.name, group: 'Crew' });
    assert.equal((await other.op('files.stat', { target: `~${own.name}/crew/notes.txt` })).owner, own.name);
  });

  it('publishes to every signed-in user, lists the universe with profiles, and searches by scope', async () => {
    const [pub, reader] = await Promise.all([pod.user('su-pub'), pod.user('su-read')]);
    await pub.op('profile.update', { displayName: 'The Publisher', about: 'I share recipes' });
    await upload(pod, pub, '/recipes/soup-recipe.txt', Buffer.from('soup'));
    await upload(pod, pub, '/private-recipe.txt', Buffer.from('secret'));
    await upload(pod, reader, '/my-recipe.txt', Buffer.from('mine'));
    await refused(reader.op('files.stat', { target: `~${pub.name}/recipes/soup-recipe.txt` }), 'not_found');
    await pub.op('files.publish', { target: '/recipes' });
    assert.equal((await pub.op('files.shares', { target: '/recipes' })).published, true);

    const universe = await reader.op('files.universe', {});
    const entry = universe.users.find((user) => user.profile.name === pub.name);
    assert.ok(entry);
    assert.equal(entry.profile.displayName, 'The Publisher');
    assert.deepEqual(entry.items.map((item) => item.path), [`~${pub.name}/recipes`]);
    const one = await reader.op('files.universe', { user: pub.name });
    assert.deepEqual(one.users.map((user) => user.profile.about), ['I share recipes']);
    await refused(reader.op('files.universe', { user: reader.name }), 'not_found');

    assert.deepEqual(await contentOf(pod, reader, `~${pub.name}/recipes/soup-recipe.txt`), Buffer.from('soup'));
    await refused(upload(pod, reader, `~${pub.name}/recipes/soup-recipe.txt`, Buffer.from('mine now')), 'forbidden');
    const names = async (scope: 'own' | 'shared' | 'published' | 'all') => (await reader.op('files.search', { query: 'recipe', scope, kind: 'file' })).results.map((result) => result.path);
    assert.deepEqual(await names('own'), ['/my-recipe.txt']);
    assert.deepEqual(await names('published'), [`~${pub.name}/recipes/soup-recipe.txt`]);
    assert.deepEqual(await names('shared'), []);
    assert.deepEqual(await names('all'), ['/my-recipe.txt', `~${pub.name}/recipes/soup-recipe.txt`]);
    // Paged: one result a page, the same results in all.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await reader.op('files.search', { query: 'recipe', scope: 'all', kind: 'file', limit: 1, ...(cursor ? { cursor } : {}) });
      paged.push(...page.results.map((result) => result.path));
      cursor = page.next;
    } while (cursor);
    assert.deepEqual(paged, await names('all'));

    assert.equal((await pub.op('files.unpublish', { target: '/recipes' })).removed, true);
    await refused(reader.op('files.stat', { target: `~${pub.name}/recipes/soup-recipe.txt` }), 'not_found');
    assert.deepEqual(await names('published'), []);
  });

  it('refuses sharing, linking and publishing by anyone but the owner', async () => {
    const [own, wri] = await Promise.all([pod.user('so-own'), pod.user('so-wri')]);
    await upload(pod, own, '/mine.txt', Buffer.from('mine'));
    await own.op('files.share', { target: '/mine.txt', with: [wri.name], access: 'write' });
    const path = `~${own.name}/mine.txt`;
    await refused(wri.op('files.share', { target: path, with: [own.name] }), 'forbidden', /only its owner/);
    await refused(wri.op('files.link.create', { target: path }), 'forbidden');
    await refused(wri.op('files.publish', { target: path }), 'forbidden');
    await refused(wri.op('files.shares', { target: path }), 'forbidden');
  });
});
