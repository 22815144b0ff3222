import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { bytes, refused, upload } from './helpers/files.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A plain HTTP client, as a browser or curl would be: no session, headers as given, the path as written. */
function get(pod: TestPod, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(pod.url);
    request({ hostname, port, path, method, headers }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts) }));
    })
      .on('error', reject)
      .end();
  });
}

const errorOf = (answer: Answer) => (JSON.parse(answer.body.toString()) as { error: { code: string; message: string } }).error;

describe('files: links, read over HTTP with no account', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('serves a linked file with Range, ETag and Content-Type, to anyone holding the token', async () => {
    const ann = await pod.user('ln-ann');
    const content = bytes(50_000, 7);
    await upload(pod, ann, '/photo.png', content);
    const made = await ann.op('files.link.create', { target: '/photo.png' });
    assert.match(made.token, /^[A-Za-z0-9_-]{43}$/, '256 bits of randomness');
    assert.equal(made.url, `/v1/files/links/${made.token}`);
    const whole = await get(pod, made.url);
    assert.equal(whole.status, 200);
    assert.deepEqual(whole.body, content);
    assert.equal(whole.headers['content-type'], 'image/png');
    const etag = whole.headers.etag as string;
    assert.match(etag, /^"[0-9a-f]{64}"$/);
    const part = await get(pod, made.url, { range: 'bytes=1000-1999' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 1000-1999/${content.length}`);
    assert.deepEqual(part.body, content.subarray(1000, 2000));
    assert.equal((await get(pod, made.url, { 'if-none-match': etag })).status, 304);
    const head = await get(pod, made.url, {}, 'HEAD');
    assert.equal(head.headers['content-length'], String(content.length));
    // The token is answered once; listings show the link without it.
    const { links } = await ann.op('files.links', {});
    assert.deepEqual(links.map((link) => [link.id, link.item.path, link.kind, link.hasPassword, link.expiresAt]), [[made.link.id, '/photo.png', 'file', false, null]]);
    assert.ok(!JSON.stringify(links).includes(made.token));
  });

  it('lists a linked folder as JSON and serves what is inside it by path', async () => {
    const ben = await pod.user('ln-ben');
    await upload(pod, ben, '/album/one.txt', Buffer.from('one'));
    await upload(pod, ben, '/album/deeper/two.txt', Buffer.from('two'));
    const { url } = await ben.op('files.link.create', { target: '/album' });
    const listing = await get(pod, url);
    assert.equal(listing.status, 200);
    const body = JSON.parse(listing.body.toString()) as { folder: { name: string }; entries: Array<{ name: string }> };
    assert.equal(body.folder.name, 'album');
    assert.deepEqual(body.entries.map((entry) => entry.name), ['deeper', 'one.txt']);
    const inner = JSON.parse((await get(pod, `${url}/deeper`)).body.toString()) as { path: string; entries: Array<{ name: string }> };
    assert.equal(inner.path, '/deeper');
    assert.deepEqual(inner.entries.map((entry) => entry.name), ['two.txt']);
    assert.equal((await get(pod, `${url}/deeper/two.txt`)).body.toString(), 'two');
    assert.equal((await get(pod, `${url}/nothing.txt`)).status, 404);
    assert.equal((await get(pod, `${url}/../../x`)).status, 400);
    const paged = JSON.parse((await get(pod, `${url}?limit=1`)).body.toString()) as { entries: unknown[]; next?: string };
    assert.equal(paged.entries.length, 1);
    assert.ok(paged.next);
  });

  it('asks for the password (header or HTTP Basic) and keeps only its hash', async () => {
    const cat = await pod.user('ln-cat');
    await upload(pod, cat, '/secret.txt', Buffer.from('secret'));
    const made = await cat.op('files.link.create', { target: '/secret.txt', password: 'open sesame' });
    assert.equal(made.link.hasPassword, true);
    const none = await get(pod, made.url);
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic realm="pod link"/);
    assert.match(errorOf(none).message, /needs a password/);
    const wrong = await get(pod, made.url, { 'x-pod-link-password': 'wrong' });
    assert.equal(wrong.status, 401);
    assert.match(errorOf(wrong).message, /wrong password/);
    assert.equal((await get(pod, made.url, { 'x-pod-link-password': 'open sesame' })).body.toString(), 'secret');
    const basic = `Basic ${Buffer.from('anyone:open sesame').toString('base64')}`;
    assert.equal((await get(pod, made.url, { authorization: basic })).body.toString(), 'secret');
    const stored = await pod.pod.store.db.selectFrom('files_links' as never).selectAll().execute();
    assert.ok(!JSON.stringify(stored).includes('open sesame'));
    assert.ok(!JSON.stringify(stored).includes(made.token), 'the token is kept hashed too');
  });

  it('makes a guesser of a link password wait longer after each wrong guess, even with the right one', async () => {
    const gus = await pod.user('ln-gus');
    await upload(pod, gus, '/vault.txt', Buffer.from('vault'));
    const { url } = await gus.op('files.link.create', { target: '/vault.txt', password: 'the real one' });
    for (let guess = 0; guess < 5; guess++) assert.equal((await get(pod, url, { 'x-pod-link-password': `guess ${guess}` })).status, 401);
    const right = await get(pod, url, { 'x-pod-link-password': 'the real one' });
    assert.equal(right.status, 429);
    assert.equal(errorOf(right).code, 'rate_limited');
    assert.match(errorOf(right).message, /too many wrong passwords for this link; try again in 1 s/);
    assert.equal(right.headers['retry-after'], '1');
    const other = await gus.op('files.link.create', { target: '/vault.txt', password: 'another' });
    assert.equal((await get(pod, other.url, { 'x-pod-link-password': 'another' })).status, 200, 'another link of the same file is not held up');
  });

  it('ends at expiry and on revocation, and answers an unknown token like a revoked one', async () => {
    const dan = await pod.user('ln-dan');
    await upload(pod, dan, '/brief.txt', Buffer.from('brief'));
    await refused(dan.op('files.link.create', { target: '/brief.txt', expiresAt: new Date(Date.now() - 1000).toISOString() }), 'invalid');
    const soon = await dan.op('files.link.create', { target: '/brief.txt', expiresIn: 1 });
    assert.equal((await get(pod, soon.url)).status, 200);
    // Expiry is a time: wait for it to pass (nothing to await but the clock).
    await new Promise((resolve) => setTimeout(resolve, Date.parse(soon.link.expiresAt!) - Date.now() + 50));
    const expired = await get(pod, soon.url);
    assert.equal(expired.status, 404);
    assert.match(errorOf(expired).message, /expired/);

    const kept = await dan.op('files.link.create', { target: '/brief.txt', password: 'pw-for-brief' });
    await dan.op('files.link.revoke', { id: kept.link.id });
    const revoked = await get(pod, kept.url);
    const unknown = await get(pod, `/v1/files/links/${'A'.repeat(43)}`);
    assert.deepEqual([revoked.status, errorOf(revoked)], [unknown.status, errorOf(unknown)]);
    assert.equal(revoked.status, 404, 'a revoked link asks no password: it is simply gone');
    await refused(dan.op('files.link.revoke', { id: kept.link.id }), 'not_found');
    const eve = await pod.user('ln-eve');
    await refused(eve.op('files.link.revoke', { id: soon.link.id }), 'not_found');
    assert.equal((await get(pod, '/v1/files/links/short')).status, 400);
  });

  it('stops serving a link whose item went to the trash, until it is restored', async () => {
    const fay = await pod.user('ln-fay');
    await upload(pod, fay, '/gone.txt', Buffer.from('gone'));
    const { url } = await fay.op('files.link.create', { target: '/gone.txt' });
    const { entry } = await fay.op('files.delete', { target: '/gone.txt' });
    assert.equal((await get(pod, url)).status, 404);
    await fay.op('files.trash.restore', { id: entry.id });
    assert.equal((await get(pod, url)).body.toString(), 'gone');
  });
});
