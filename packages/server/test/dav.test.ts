import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { basic, davUser, type DavUser } from './helpers/dav.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

const PROPFIND_ALL = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';

function bytes(length: number, seed: number): Buffer<ArrayBuffer> {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A request sent byte for byte as given (no URL normalization), answering its status. */
function rawStatus(pod: TestPod, method: string, path: string, user: DavUser): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(pod.url);
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { authorization: basic(user.name, user.appPassword), 'content-length': '1' } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end('x');
  });
}

describe('WebDAV: methods and status codes', () => {
  let pod: TestPod;
  let ann: DavUser;
  before(async () => {
    pod = await startTestPod();
    ann = await davUser(pod, 'ann');
  });
  after(() => pod.close());

  it('answers OPTIONS with DAV 1, 2 and the methods', async () => {
    const answer = await ann.dav('OPTIONS', '/', { auth: null });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('dav'), '1, 2');
    for (const method of ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PUT', 'DELETE']) assert.match(answer.headers.get('allow')!, new RegExp(method));
  });

  it('takes app passwords only: no credentials, the account password or a revoked app password get 401', async () => {
    assert.equal((await ann.dav('PROPFIND', '/', { auth: null, headers: { depth: '0' } })).status, 401);
    const wrong = await ann.dav('PROPFIND', '/', { auth: basic('ann', ann.password), headers: { depth: '0' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate')!, /^Basic /);
    assert.equal((await ann.dav('PROPFIND', '/', { auth: 'Basic !!!', headers: { depth: '0' } })).status, 401);
    const extra = await ann.op('auth.appPasswords.create', { label: 'laptop' });
    assert.equal((await ann.dav('PROPFIND', '/', { auth: basic('ann', extra.password), headers: { depth: '0' } })).status, 207);
    const listed = await ann.op('auth.appPasswords.list', {});
    assert.deepEqual(listed.appPasswords.map((p) => p.label).sort(), ["ann's test mount", 'laptop']);
    assert.ok(!JSON.stringify(listed).includes(extra.password), 'the list never shows a secret');
    await ann.op('auth.appPasswords.revoke', { id: extra.id });
    assert.equal((await ann.dav('PROPFIND', '/', { auth: basic('ann', extra.password), headers: { depth: '0' } })).status, 401);
  });

  it('PUT, GET and HEAD a file: 201 then 204, ETag from the content hash, ranges, 404 for a missing one', async () => {
    const data = bytes(300_000, 1);
    const created = await ann.dav('PUT', '/hello.bin', { body: data });
    assert.equal(created.status, 201, created.text);
    const etag = created.headers.get('etag');
    assert.match(etag!, /^"[0-9a-f]{64}"$/);
    const got = await ann.dav('GET', '/hello.bin');
    assert.equal(got.status, 200);
    assert.equal(Buffer.compare(got.body, data), 0);
    assert.equal(got.headers.get('etag'), etag);
    const head = await ann.dav('HEAD', '/hello.bin');
    assert.deepEqual([head.status, head.headers.get('content-length'), head.body.length], [200, '300000', 0]);
    const part = await ann.dav('GET', '/hello.bin', { headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.equal(Buffer.compare(part.body, data.subarray(10, 20)), 0);
    const again = await ann.dav('PUT', '/hello.bin', { body: 'new content' });
    assert.equal(again.status, 204);
    assert.equal((await ann.dav('GET', '/hello.bin')).text, 'new content');
    const versions = await ann.op('files.versions', { target: '/hello.bin' });
    assert.equal(versions.versions.length, 2, 'overwriting through WebDAV keeps the earlier version');
    assert.equal((await ann.dav('GET', '/missing.txt')).status, 404);
    assert.equal((await ann.dav('PUT', '/empty.txt', { body: '' })).status, 201);
    assert.equal((await ann.dav('GET', '/empty.txt')).body.length, 0);
  });

  it('a large PUT streams in chunks, deduplicated: the same bytes again store nothing new', async () => {
    const data = bytes(18 * 1024 * 1024 + 5, 3);
    assert.equal((await ann.dav('PUT', '/large.bin', { body: data })).status, 201);
    const got = await ann.dav('GET', '/large.bin');
    assert.equal(Buffer.compare(got.body, data), 0);
    const before = await ann.op('files.usage', {});
    assert.equal((await ann.dav('PUT', '/large-again.bin', { body: data })).status, 201);
    const after = await ann.op('files.usage', {});
    assert.equal(after.storedBytes, before.storedBytes, 'the second copy takes no space');
    assert.equal(after.logicalBytes - before.logicalBytes, data.length);
    assert.equal(Buffer.compare((await ann.dav('GET', '/large-again.bin')).body, data), 0);
  });

  it('PUT into a missing folder is 409, onto a folder 405; MKCOL makes folders: 201, 405 if there, 409 without parent, 415 with a body', async () => {
    assert.equal((await ann.dav('PUT', '/nowhere/file.txt', { body: 'x' })).status, 409);
    assert.equal((await ann.dav('MKCOL', '/docs')).status, 201);
    assert.equal((await ann.dav('MKCOL', '/docs')).status, 405);
    assert.equal((await ann.dav('MKCOL', '/a/b')).status, 409);
    assert.equal((await ann.dav('MKCOL', '/withbody', { body: '<x/>' })).status, 415);
    assert.equal((await ann.dav('PUT', '/docs', { body: 'x' })).status, 405);
    assert.equal((await ann.dav('PUT', '/docs/a%20b.txt', { body: 'spaced' })).status, 201);
    assert.equal((await ann.dav('GET', '/docs/a%20b.txt')).text, 'spaced');
  });

  it('PROPFIND at depth 0 and 1 with allprop, propname and prop; depth infinity is 403 propfind-finite-depth', async () => {
    await ann.dav('MKCOL', '/list');
    await ann.dav('PUT', '/list/one.txt', { body: 'one' });
    await ann.dav('MKCOL', '/list/sub');
    const zero = await ann.dav('PROPFIND', '/list/', { headers: { depth: '0' }, body: PROPFIND_ALL });
    assert.equal(zero.status, 207);
    assert.equal((zero.text.match(/<D:response>/g) ?? []).length, 1);
    assert.match(zero.text, /<D:collection\/>/);
    const one = await ann.dav('PROPFIND', '/list', { headers: { depth: '1' } });
    assert.equal(one.status, 207);
    assert.match(one.text, /<D:href>\/dav\/list\/one\.txt<\/D:href>/);
    assert.match(one.text, /<D:href>\/dav\/list\/sub\/<\/D:href>/);
    assert.match(one.text, /<D:getcontentlength>3<\/D:getcontentlength>/);
    const names = await ann.dav('PROPFIND', '/list/one.txt', { headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>' });
    assert.match(names.text, /<D:getetag\/>/);
    const some = await ann.dav('PROPFIND', '/list/one.txt', { headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:getcontenttype/><x:nope xmlns:x="urn:x"/></D:prop></D:propfind>' });
    assert.match(some.text, /<D:getcontenttype>text\/plain<\/D:getcontenttype>/);
    assert.match(some.text, /<nope xmlns="urn:x"\/><\/D:prop><D:status>HTTP\/1.1 404 Not Found/);
    const infinite = await ann.dav('PROPFIND', '/list', { headers: { depth: 'infinity' } });
    assert.equal(infinite.status, 403);
    assert.match(infinite.text, /propfind-finite-depth/);
    assert.equal((await ann.dav('PROPFIND', '/list', { headers: { depth: '2' } })).status, 400);
    assert.equal((await ann.dav('PROPFIND', '/nothing', { headers: { depth: '0' } })).status, 404);
    assert.equal((await ann.dav('PROPFIND', '/list', { headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop>' })).status, 400);
  });

  it('PROPPATCH sets and removes dead properties, kept across MOVE; live ones are 403 with the rest 424', async () => {
    await ann.dav('PUT', '/props.txt', { body: 'p' });
    const patch = await ann.dav('PROPPATCH', '/props.txt', {
      body: '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:color>red &amp; <Z:b>bold</Z:b></Z:color><Z:size>9</Z:size></D:prop></D:set><D:remove><D:prop><Z:size/></D:prop></D:remove></D:propertyupdate>',
    });
    assert.equal(patch.status, 207);
    assert.match(patch.text, /HTTP\/1.1 200 OK/);
    assert.equal((await ann.dav('MOVE', '/props.txt', { headers: { destination: '/dav/props-moved.txt' } })).status, 201);
    const found = await ann.dav('PROPFIND', '/props-moved.txt', { headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><Z:color xmlns:Z="urn:z"/><Z:size xmlns:Z="urn:z"/></D:prop></D:propfind>' });
    assert.match(found.text, /<color xmlns="urn:z">red &amp; <b xmlns="urn:z">bold<\/b><\/color>/);
    assert.match(found.text, /<size xmlns="urn:z"\/><\/D:prop><D:status>HTTP\/1.1 404/);
    const live = await ann.dav('PROPPATCH', '/props-moved.txt', {
      body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag><D:other>y</D:other></D:prop></D:set></D:propertyupdate>',
    });
    assert.equal(live.status, 207);
    assert.match(live.text, /403 Forbidden/);
    assert.match(live.text, /424 Failed Dependency/);
    assert.equal((await ann.dav('PROPPATCH', '/props-moved.txt', { body: '<not-xml' })).status, 400);
    assert.equal((await ann.dav('PROPPATCH', '/props-moved.txt', { body: '<D:propfind xmlns:D="DAV:"/>' })).status, 400);
    assert.equal((await ann.dav('PROPPATCH', '/gone.txt', { body: '<D:propertyupdate xmlns:D="DAV:"/>' })).status, 404);
  });

  it('COPY and MOVE with Overwrite and Depth: 201 new, 204 replaced, 412 with Overwrite F, 409 without parent, 403 onto itself', async () => {
    await ann.dav('MKCOL', '/cm');
    await ann.dav('PUT', '/cm/a.txt', { body: 'A' });
    await ann.dav('PUT', '/cm/b.txt', { body: 'B' });
    assert.equal((await ann.dav('COPY', '/cm/a.txt', { headers: { destination: '/dav/cm/c.txt' } })).status, 201);
    assert.equal((await ann.dav('COPY', '/cm/a.txt', { headers: { destination: '/dav/cm/b.txt', overwrite: 'F' } })).status, 412);
    assert.equal((await ann.dav('COPY', '/cm/a.txt', { headers: { destination: `${pod.url}/dav/cm/b.txt`, overwrite: 'T' } })).status, 204);
    assert.equal((await ann.dav('GET', '/cm/b.txt')).text, 'A');
    assert.equal((await ann.dav('COPY', '/cm/a.txt', { headers: { destination: '/dav/none/x.txt' } })).status, 409);
    assert.equal((await ann.dav('COPY', '/cm/a.txt', { headers: { destination: '/dav/cm/a.txt' } })).status, 403);
    assert.equal((await ann.dav('COPY', '/cm/a.txt', {})).status, 400);
    assert.equal((await ann.dav('COPY', '/cm/a.txt', { headers: { destination: '/elsewhere/x' } })).status, 400);
    assert.equal((await ann.dav('COPY', '/cm/a.txt', { headers: { destination: '/dav/cm/%zz' } })).status, 400);
    assert.equal((await ann.dav('COPY', '/cm/missing', { headers: { destination: '/dav/cm/y' } })).status, 404);
    // A folder: whole at depth infinity, empty at depth 0; not into itself.
    assert.equal((await ann.dav('COPY', '/cm', { headers: { destination: '/dav/cm2' } })).status, 201);
    assert.equal((await ann.dav('GET', '/cm2/a.txt')).text, 'A');
    assert.equal((await ann.dav('COPY', '/cm', { headers: { destination: '/dav/cm3', depth: '0' } })).status, 201);
    assert.equal((await ann.dav('PROPFIND', '/cm3', { headers: { depth: '1' } })).text.match(/<D:response>/g)?.length, 1);
    assert.equal((await ann.dav('COPY', '/cm', { headers: { destination: '/dav/cm/inside' } })).status, 403);
    assert.equal((await ann.dav('MOVE', '/cm', { headers: { destination: '/dav/cm4', depth: '0' } })).status, 400);
    await ann.dav('PUT', '/cm/only-in-cm.txt', { body: 'gone soon' });
    assert.equal((await ann.dav('MOVE', '/cm2', { headers: { destination: '/dav/cm', overwrite: 'F' } })).status, 412);
    assert.equal((await ann.dav('MOVE', '/cm2', { headers: { destination: '/dav/cm' } })).status, 204);
    assert.equal((await ann.dav('GET', '/cm2/a.txt')).status, 404);
    assert.equal((await ann.dav('GET', '/cm/only-in-cm.txt')).status, 404, 'the folder replaced by a MOVE is gone');
    assert.equal((await ann.dav('GET', '/cm/a.txt')).text, 'A');
  });

  it('DELETE moves to the trash: 204, then 404; the root is 403', async () => {
    await ann.dav('MKCOL', '/del');
    await ann.dav('PUT', '/del/x.txt', { body: 'x' });
    assert.equal((await ann.dav('DELETE', '/del')).status, 204);
    assert.equal((await ann.dav('GET', '/del/x.txt')).status, 404);
    assert.equal((await ann.dav('DELETE', '/del')).status, 404);
    assert.equal((await ann.dav('DELETE', '/')).status, 403);
    const trash = await ann.op('files.trash.list', {});
    assert.ok(trash.items.some((item) => item.entry.name === 'del'));
  });

  it('refuses bad URLs and headers with 400: traversal, escaped slashes, bad Depth, Overwrite and names', async () => {
    // fetch resolves dot-segments (even escaped) before sending; raw HTTP sends them as they are.
    assert.equal(await rawStatus(pod, 'PUT', '/dav/x/../../etc', ann), 400);
    assert.equal(await rawStatus(pod, 'PUT', '/dav/x/%2e%2e', ann), 400);
    assert.equal((await ann.dav('PUT', '/a%2Fb', { body: 'x' })).status, 400);
    assert.equal((await ann.dav('PUT', '/nul%00', { body: 'x' })).status, 400);
    assert.equal((await ann.dav('PUT', `/${'n'.repeat(300)}`, { body: 'x' })).status, 400);
    assert.equal((await ann.dav('DELETE', '/cm', { headers: { depth: '0' } })).status, 400);
    assert.equal((await ann.dav('COPY', '/cm', { headers: { destination: '/dav/cmx', overwrite: 'maybe' } })).status, 400);
    assert.equal((await ann.dav('PROPFIND', '/', { headers: { depth: '0' }, body: '<!DOCTYPE x [<!ENTITY a "aaaa">]><D:propfind xmlns:D="DAV:"/>' })).status, 400);
    assert.equal((await ann.dav('PROPFIND', '/', { headers: { depth: '0' }, body: 'x'.repeat(2 * 1024 * 1024) })).status, 413);
  });
});

describe('WebDAV: permissions', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it("one user's app password neither sees, reads, writes nor locks another's files", async () => {
    const ann = await davUser(pod, 'ann');
    const bob = await davUser(pod, 'bob');
    await ann.dav('MKCOL', '/private');
    await ann.dav('PUT', '/private/secret.txt', { body: 'ann only' });
    const lock = await ann.dav('LOCK', '/private/secret.txt', { body: '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>' });
    const token = lock.headers.get('lock-token')!;
    const listing = await bob.dav('PROPFIND', '/', { headers: { depth: '1' } });
    assert.equal(listing.status, 207);
    assert.doesNotMatch(listing.text, /private/);
    assert.equal((await bob.dav('GET', '/private/secret.txt')).status, 404);
    assert.equal((await bob.dav('PROPFIND', '/private', { headers: { depth: '0' } })).status, 404);
    assert.equal((await bob.dav('DELETE', '/private')).status, 404);
    assert.equal((await bob.dav('COPY', '/private/secret.txt', { headers: { destination: '/dav/stolen.txt' } })).status, 404);
    assert.equal((await bob.dav('UNLOCK', '/private/secret.txt', { headers: { 'lock-token': token } })).status, 409);
    // Bob's PUT to the same path makes a file in his own tree, never touching Ann's.
    assert.equal((await bob.dav('PUT', '/private/secret.txt', { body: 'bob' })).status, 409);
    assert.equal((await bob.dav('PROPFIND', '/', { auth: basic('ann', bob.appPassword), headers: { depth: '0' } })).status, 401);
    assert.equal((await ann.dav('GET', '/private/secret.txt')).text, 'ann only');
  });
});
