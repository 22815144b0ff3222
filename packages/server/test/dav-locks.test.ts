import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { davUser, LOCK_BODY, lockTokenOf, type DavUser } from './helpers/dav.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

describe('WebDAV: locks and If headers', () => {
  let pod: TestPod;
  let ann: DavUser;
  before(async () => {
    pod = await startTestPod();
    ann = await davUser(pod, 'ann');
  });
  after(() => pod.close());

  it('an exclusive lock: 423 without its token, writes with it, 423 for a second lock, refresh, UNLOCK', async () => {
    await ann.dav('PUT', '/ex.txt', { body: 'v1' });
    const locked = await ann.dav('LOCK', '/ex.txt', { body: LOCK_BODY('exclusive', '<D:href>mailto:ann@example.org</D:href>'), headers: { timeout: 'Second-600' } });
    assert.equal(locked.status, 200, locked.text);
    const token = lockTokenOf(locked);
    assert.match(token, /^opaquelocktoken:/);
    assert.match(locked.text, /<D:exclusive\/>/);
    assert.match(locked.text, /mailto:ann@example.org/);
    assert.match(locked.text, /<D:timeout>Second-(600|599)<\/D:timeout>/);
    assert.equal((await ann.dav('PUT', '/ex.txt', { body: 'v2' })).status, 423);
    assert.equal((await ann.dav('DELETE', '/ex.txt')).status, 423);
    assert.equal((await ann.dav('MOVE', '/ex.txt', { headers: { destination: '/dav/ex2.txt' } })).status, 423);
    assert.equal((await ann.dav('PROPPATCH', '/ex.txt', { body: '<D:propertyupdate xmlns:D="DAV:"/>' })).status, 423);
    assert.equal((await ann.dav('COPY', '/ex.txt', { headers: { destination: '/dav/ex-copy.txt' } })).status, 201, 'reading a locked file is free');
    assert.equal((await ann.dav('LOCK', '/ex.txt', { body: LOCK_BODY('exclusive') })).status, 423);
    assert.equal((await ann.dav('LOCK', '/ex.txt', { body: LOCK_BODY('shared') })).status, 423);
    assert.equal((await ann.dav('PUT', '/ex.txt', { body: 'v2', headers: { if: `(<${token}>)` } })).status, 204);
    assert.equal((await ann.dav('PUT', '/ex.txt', { body: 'v3', headers: { if: `<${pod.url}/dav/ex.txt> (<${token}>)` } })).status, 204);
    const discovered = await ann.dav('PROPFIND', '/ex.txt', { headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>' });
    assert.match(discovered.text, new RegExp(token));
    const refreshed = await ann.dav('LOCK', '/ex.txt', { headers: { if: `(<${token}>)`, timeout: 'Second-100' } });
    assert.equal(refreshed.status, 200);
    assert.match(refreshed.text, /Second-(100|99)/);
    assert.equal((await ann.dav('LOCK', '/ex.txt', { headers: { if: '(<opaquelocktoken:not-a-lock>)' } })).status, 412);
    assert.equal((await ann.dav('UNLOCK', '/ex.txt', { headers: { 'lock-token': '<opaquelocktoken:not-a-lock>' } })).status, 409);
    assert.equal((await ann.dav('UNLOCK', '/ex.txt', { headers: { 'lock-token': 'no brackets' } })).status, 400);
    assert.equal((await ann.dav('UNLOCK', '/ex.txt', { headers: { 'lock-token': `<${token}>` } })).status, 204);
    assert.equal((await ann.dav('PUT', '/ex.txt', { body: 'v4' })).status, 204);
  });

  it('shared locks coexist; either token lets a write through; an exclusive lock on top is 423', async () => {
    await ann.dav('PUT', '/sh.txt', { body: 's' });
    const first = lockTokenOf(await ann.dav('LOCK', '/sh.txt', { body: LOCK_BODY('shared') }));
    const second = await ann.dav('LOCK', '/sh.txt', { body: LOCK_BODY('shared') });
    assert.equal(second.status, 200);
    const secondToken = lockTokenOf(second);
    assert.notEqual(first, secondToken);
    assert.equal((await ann.dav('LOCK', '/sh.txt', { body: LOCK_BODY('exclusive') })).status, 423);
    assert.equal((await ann.dav('PUT', '/sh.txt', { body: 'x' })).status, 423);
    assert.equal((await ann.dav('PUT', '/sh.txt', { body: 'x', headers: { if: `(<${secondToken}>)` } })).status, 204);
    await ann.dav('UNLOCK', '/sh.txt', { headers: { 'lock-token': `<${first}>` } });
    await ann.dav('UNLOCK', '/sh.txt', { headers: { 'lock-token': `<${secondToken}>` } });
  });

  it('a depth infinity lock on a folder covers what is in it and what is added; LOCK of an unmapped URL makes an empty file (201)', async () => {
    await ann.dav('MKCOL', '/locked');
    await ann.dav('PUT', '/locked/in.txt', { body: 'in' });
    const token = lockTokenOf(await ann.dav('LOCK', '/locked', { body: LOCK_BODY('exclusive') }));
    assert.equal((await ann.dav('PUT', '/locked/in.txt', { body: 'no' })).status, 423);
    assert.equal((await ann.dav('PUT', '/locked/new.txt', { body: 'no' })).status, 423);
    assert.equal((await ann.dav('MKCOL', '/locked/sub')).status, 423);
    assert.equal((await ann.dav('LOCK', '/locked/in.txt', { body: LOCK_BODY('shared') })).status, 423);
    assert.equal((await ann.dav('PUT', '/locked/new.txt', { body: 'yes', headers: { if: `</dav/locked> (<${token}>)` } })).status, 201);
    assert.equal((await ann.dav('MOVE', '/locked', { headers: { destination: '/dav/moved' } })).status, 423);
    await ann.dav('UNLOCK', '/locked/in.txt', { headers: { 'lock-token': `<${token}>` } });
    assert.equal((await ann.dav('PUT', '/locked/in.txt', { body: 'free' })).status, 204, 'UNLOCK through a covered URL removes the lock');

    const created = await ann.dav('LOCK', '/fresh.txt', { body: LOCK_BODY('exclusive') });
    assert.equal(created.status, 201);
    const fresh = lockTokenOf(created);
    assert.equal((await ann.dav('GET', '/fresh.txt')).body.length, 0);
    assert.equal((await ann.dav('LOCK', '/no/such/file', { body: LOCK_BODY('exclusive') })).status, 409);
    assert.equal((await ann.dav('DELETE', '/fresh.txt', { headers: { if: `(<${fresh}>)` } })).status, 204);
    assert.equal((await ann.dav('LOCK', '/fresh.txt', { body: LOCK_BODY('exclusive') })).status, 201, 'the lock went with the deleted file');
  });

  it('If headers: ETags, Not, several lists, DAV:no-lock; 412 when none holds, 400 when malformed', async () => {
    const put = await ann.dav('PUT', '/cond.txt', { body: 'c1' });
    const etag = put.headers.get('etag')!;
    assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'c2', headers: { if: `(["${'0'.repeat(64)}"])` } })).status, 412);
    const second = await ann.dav('PUT', '/cond.txt', { body: 'c2', headers: { if: `([${etag}])` } });
    assert.equal(second.status, 204);
    const etag2 = second.headers.get('etag')!;
    assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'c3', headers: { if: `(Not [${etag2}])` } })).status, 412);
    assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'c3', headers: { if: '(<DAV:no-lock>)' } })).status, 412);
    assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'c3', headers: { if: `(<DAV:no-lock>) (Not <DAV:no-lock> [${etag2}])` } })).status, 204);
    assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'c4', headers: { 'if-match': '"nope"' } })).status, 412);
    assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'c4', headers: { 'if-none-match': '*' } })).status, 412);
    assert.equal((await ann.dav('PUT', '/cond-new.txt', { body: 'n', headers: { 'if-none-match': '*' } })).status, 201);
    // A token that is no lock makes the list false; with an exclusive lock, one list holding with the token lets the write through.
    const token = lockTokenOf(await ann.dav('LOCK', '/cond.txt', { body: LOCK_BODY('exclusive') }));
    assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'c5', headers: { if: '(<opaquelocktoken:bogus>)' } })).status, 412);
    assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'c5', headers: { if: `(<opaquelocktoken:bogus>) (<${token}>)` } })).status, 204);
    assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'c6', headers: { if: `(<${token}> [${etag}])` } })).status, 412, 'an old ETag fails the list');
    for (const bad of ['', '(', '()', '(<unclosed)', '<x> y', 'garbage', '(Not)', '([etag)']) {
      assert.equal((await ann.dav('PUT', '/cond.txt', { body: 'x', headers: { if: bad } })).status, 400, `If: ${bad}`);
    }
    await ann.dav('UNLOCK', '/cond.txt', { headers: { 'lock-token': `<${token}>` } });
  });

  it('a COPY onto a locked destination, or a new member of a locked folder, is 423 (424 is never left half done)', async () => {
    await ann.dav('MKCOL', '/dst');
    await ann.dav('PUT', '/src.txt', { body: 'src' });
    await ann.dav('PUT', '/dst/target.txt', { body: 'old' });
    const token = lockTokenOf(await ann.dav('LOCK', '/dst/target.txt', { body: LOCK_BODY('exclusive') }));
    assert.equal((await ann.dav('COPY', '/src.txt', { headers: { destination: '/dav/dst/target.txt' } })).status, 423);
    assert.equal((await ann.dav('GET', '/dst/target.txt')).text, 'old');
    assert.equal((await ann.dav('COPY', '/src.txt', { headers: { destination: '/dav/dst/target.txt', if: `</dav/dst/target.txt> (<${token}>)` } })).status, 204);
    assert.equal((await ann.dav('GET', '/dst/target.txt')).text, 'src');
  });
});
