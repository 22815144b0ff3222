import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refuses } from './helpers/refuses.ts';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

describe('profiles', () => {
  let pod: TestPod;
  let admin: TestUser;
  before(async () => {
    pod = await startTestPod();
    admin = await pod.user('root', { admin: true });
  });
  after(() => pod.close());

  it('answers the caller’s own profile and another user’s by name', async () => {
    const rita = await pod.user('rita');
    await pod.user('sam');
    assert.deepEqual(await rita.op('profile.get', {}), { name: 'rita', displayName: 'rita', statusText: '', about: '' });
    assert.deepEqual(await rita.op('profile.get', { name: 'SAM' }), { name: 'sam', displayName: 'sam', statusText: '', about: '' });
  });

  it('answers not_found for unknown and disabled users alike', async () => {
    const tess = await pod.user('tess');
    await pod.user('ursula');
    await admin.op('user.disable', { name: 'ursula' });
    await refuses(tess.op('profile.get', { name: 'nobody-here' }), 'not_found', /no user named nobody-here/);
    await refuses(tess.op('profile.get', { name: 'ursula' }), 'not_found', /no user named ursula/);
  });

  it('updates only the fields given, and an empty display name goes back to the account name', async () => {
    const vera = await pod.user('vera');
    const updated = await vera.op('profile.update', { displayName: '  Vera V.  ', statusText: 'at lunch', about: 'Plays the cello.' });
    assert.deepEqual(updated, { name: 'vera', displayName: 'Vera V.', statusText: 'at lunch', about: 'Plays the cello.' });
    assert.deepEqual(await vera.op('profile.update', { statusText: 'back' }), { ...updated, statusText: 'back' });
    assert.equal((await vera.op('profile.update', { displayName: '' })).displayName, 'vera');
    assert.deepEqual(await vera.op('profile.get', {}), { name: 'vera', displayName: 'vera', statusText: 'back', about: 'Plays the cello.' });
  });

  it('refuses fields beyond their limits, naming the field', async () => {
    const walt = await pod.user('walt');
    await refuses(walt.op('profile.update', { displayName: 'x'.repeat(65) }), 'too_large', /displayName: a display name has at most 64 characters/);
    await refuses(walt.op('profile.update', { about: 'x'.repeat(4001) }), 'too_large', /about has at most 4000 characters/);
    await refuses(walt.op('profile.update', { nickname: 'w' } as never), 'invalid', /nickname/);
  });
});

describe('directory search', () => {
  let pod: TestPod;
  let searcher: TestUser;
  before(async () => {
    pod = await startTestPod();
    const admin = await pod.user('root', { admin: true });
    searcher = await pod.user('searcher');
    const people: Array<[string, { displayName?: string; about?: string }]> = [
      ['zoe', { displayName: 'Zoë Kayak-Lover', about: 'Weekends on the river' }],
      ['yuri', { displayName: 'Yuri', about: 'KAYAKING instructor' }],
      ['xena', { displayName: 'Xena', about: 'Warrior; no boats' }],
      ['kayak_club', {}],
      ['hidden-kayaker', { about: 'kayak' }],
      ['percent', { about: '100% effort' }],
    ];
    for (const [name, profile] of people) {
      const user = await pod.user(name);
      if (profile.displayName || profile.about) await user.op('profile.update', profile);
    }
    await admin.op('user.disable', { name: 'hidden-kayaker' });
  });
  after(() => pod.close());

  const names = (answer: { users: Array<{ name: string }> }) => answer.users.map((u) => u.name);

  it('matches name, display name and about text in any case, never listing disabled users', async () => {
    const found = await searcher.op('directory.search', { query: 'KaYaK' });
    assert.deepEqual(names(found), ['kayak_club', 'yuri', 'zoe']);
    assert.equal(found.next, undefined);
    assert.deepEqual(found.users[2], { name: 'zoe', displayName: 'Zoë Kayak-Lover', about: 'Weekends on the river', statusText: '' });
    assert.deepEqual(names(await searcher.op('directory.search', { query: 'xena' })), ['xena']);
    assert.deepEqual(names(await searcher.op('directory.search', { query: 'nothing matches this' })), []);
  });

  it('takes % and _ literally', async () => {
    assert.deepEqual(names(await searcher.op('directory.search', { query: '0%' })), ['percent']);
    assert.deepEqual(names(await searcher.op('directory.search', { query: 'k_c' })), ['kayak_club']);
    assert.deepEqual(names(await searcher.op('directory.search', { query: 'r_v' })), [], 'a wildcard _ would match "river"');
    assert.deepEqual(names(await searcher.op('directory.search', { query: '%' })), ['percent']);
  });

  it('pages through everyone by name with an opaque cursor, without duplicates or gaps', async () => {
    const everyone = names(await searcher.op('directory.search', { query: '', limit: 200 }));
    assert.deepEqual(everyone, ['kayak_club', 'percent', 'root', 'searcher', 'xena', 'yuri', 'zoe']);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await searcher.op('directory.search', cursor === undefined ? { query: '', limit: 3 } : { query: '', limit: 3, cursor });
      assert.ok(page.users.length <= 3);
      seen.push(...names(page));
      cursor = page.next;
      pages++;
    } while (cursor !== undefined);
    assert.deepEqual(seen, everyone);
    assert.equal(pages, 3);
  });

  it('defaults to 20 results a page', async () => {
    const admin = await pod.user('root2', { admin: true });
    for (let i = 0; i < 20; i++) await pod.user(`many-${String(i).padStart(2, '0')}`);
    const first = await admin.op('directory.search', { query: 'many-' });
    assert.equal(first.users.length, 20);
    assert.equal(first.next, undefined, 'exactly one full page has no next cursor');
    const all = await admin.op('directory.search', { query: '' });
    assert.equal(all.users.length, 20);
    assert.ok(all.next);
  });

  it('refuses a cursor it did not give', async () => {
    await refuses(searcher.op('directory.search', { query: '', cursor: 'not a cursor!' }), 'invalid', /cursor/);
  });
});
