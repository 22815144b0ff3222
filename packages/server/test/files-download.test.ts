import { chunkAll, nodeSha256 } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bytes, corruptBlob, downloadFile, fetchContent, refused, SMALL_CHUNKS, upload } from './helpers/files.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

describe('files: downloads', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('answers ranges, conditional requests and HEAD as HTTP says', async () => {
    const ann = await pod.user('ann');
    const data = bytes(20_000, 40);
    const { entry } = await upload(pod, ann, '/data.bin', data, { chunkSizes: SMALL_CHUNKS });
    const get = (headers: Record<string, string> = {}) => fetchContent(pod, ann, 'path=/data.bin', headers);
    const whole = await get();
    const etag = `"${entry.hash}"`;
    assert.equal(whole.status, 200);
    assert.equal(Buffer.compare(whole.body, data), 0);
    assert.equal(whole.headers.get('etag'), etag);
    assert.equal(whole.headers.get('content-length'), '20000');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(whole.headers.get('content-type'), 'application/octet-stream');
    for (const match of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const cached = await get({ 'if-none-match': match });
      assert.deepEqual([cached.status, cached.body.length, cached.headers.get('etag')], [304, 0, etag], match);
    }
    assert.equal((await get({ 'if-none-match': '"something-else"' })).status, 200);
    const ranges: Array<[string, number, number, number]> = [
      ['bytes=0-9', 206, 0, 9],
      ['bytes=10000-10999', 206, 10_000, 10_999],
      ['bytes=19990-', 206, 19_990, 19_999],
      ['bytes=-25', 206, 19_975, 19_999],
      ['bytes=0-99999999', 206, 0, 19_999],
      ['bytes=0-0', 206, 0, 0],
    ];
    for (const [range, status, start, end] of ranges) {
      const part = await get({ range });
      assert.equal(part.status, status, range);
      assert.equal(part.headers.get('content-range'), `bytes ${start}-${end}/20000`, range);
      assert.equal(Buffer.compare(part.body, data.subarray(start, end + 1)), 0, range);
    }
    for (const range of ['bytes=20000-', 'bytes=30000-30010', 'bytes=-0']) {
      const none = await get({ range });
      assert.deepEqual([none.status, none.headers.get('content-range')], [416, 'bytes */20000'], range);
    }
    for (const range of ['bytes=0-1,5-6', 'bytes=abc', 'lines=1-2', 'bytes=9-3']) {
      const all = await get({ range });
      assert.deepEqual([all.status, all.body.length], [200, 20_000], `${range} is ignored`);
    }
    assert.equal((await get({ range: 'bytes=0-9', 'if-range': etag })).status, 206);
    assert.equal((await get({ range: 'bytes=0-9', 'if-range': '"an older version"' })).status, 200);
    const head = await fetch(`${pod.url}/v1/files/content?path=/data.bin`, { method: 'HEAD', headers: { authorization: `Bearer ${ann.token}` } });
    assert.deepEqual([head.status, head.headers.get('content-length'), head.headers.get('etag')], [200, '20000', etag]);
    const empty = await upload(pod, ann, '/empty', Buffer.alloc(0));
    assert.equal((await fetchContent(pod, ann, `id=${empty.entry.id}`)).status, 200);
    assert.equal((await fetchContent(pod, ann, `id=${empty.entry.id}`, { range: 'bytes=0-' })).status, 416);
  });

  it('says what the content is, and never lets it run as the site', async () => {
    const ben = await pod.user('ben');
    await upload(pod, ben, '/page.html', Buffer.from('<script>alert(1)</script>'));
    await upload(pod, ben, '/photo.PNG', bytes(100, 41));
    await upload(pod, ben, '/notes', Buffer.from('# title'), { type: 'text/markdown' });
    const page = await fetchContent(pod, ben, 'path=/page.html');
    assert.equal(page.headers.get('content-type'), 'text/html');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.match(page.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.match(page.headers.get('content-disposition') ?? '', /^attachment; filename="page.html"/);
    assert.match((await fetchContent(pod, ben, 'path=/page.html&inline=1')).headers.get('content-disposition') ?? '', /^inline/);
    assert.equal((await fetchContent(pod, ben, 'path=/photo.PNG')).headers.get('content-type'), 'image/png');
    assert.equal((await fetchContent(pod, ben, 'path=/notes')).headers.get('content-type'), 'text/markdown');
    const folder = await fetchContent(pod, ben, 'path=/');
    assert.equal(folder.status, 400);
  });

  it('never serves a corrupt chunk as good: an error before the first byte, a broken transfer after', async () => {
    const cat = await pod.user('cat');
    const data = bytes(20_000, 42);
    await upload(pod, cat, '/rot.bin', data, { chunkSizes: SMALL_CHUNKS });
    const { chunks } = await chunkAll([data], { sha256: nodeSha256, ...SMALL_CHUNKS });
    await corruptBlob(pod, chunks[chunks.length - 3]!.hash);
    const response = await fetch(`${pod.url}/v1/files/content?path=/rot.bin`, { headers: { authorization: `Bearer ${cat.token}` } });
    assert.equal(response.status, 200, 'the headers went out before the corrupt chunk was reached');
    await assert.rejects(response.arrayBuffer(), 'the transfer breaks off instead of ending as if complete');
    const to = join(pod.dataDir, 'rot-download');
    const cacheDir = join(pod.dataDir, 'rot-cache');
    await refused(downloadFile({ server: pod.url, token: cat.token, target: '/rot.bin', to, cacheDir }), 'unavailable', /broke off|damaged/);
    assert.equal(existsSync(to), false, 'nothing is left where the file was to go');
    assert.deepEqual(existsSync(cacheDir) ? readdirSync(cacheDir).filter((name) => !name.startsWith('.')) : [], [], 'nothing is cached');
    await corruptBlob(pod, chunks[0]!.hash);
    const early = await fetchContent(pod, cat, 'path=/rot.bin');
    assert.equal(early.status, 500);
    assert.equal((JSON.parse(early.body.toString()) as { error: { code: string } }).error.code, 'internal');
    // Both were reported damaged: the next upload of these bytes is asked for them, which heals the stored copies.
    const healed = await upload(pod, cat, '/again.bin', data, { chunkSizes: SMALL_CHUNKS });
    assert.equal(healed.chunksSent, 2);
    assert.equal(Buffer.compare((await fetchContent(pod, cat, 'path=/rot.bin')).body, data), 0);
    // Another user proving possession of a damaged chunk is asked for its bytes instead.
    await corruptBlob(pod, chunks[1]!.hash);
    assert.equal((await fetchContent(pod, cat, 'path=/rot.bin', { range: 'bytes=0-0' })).status, 206, 'a range that ends in the first chunk never reads the second');
    const dan = await pod.user('dan');
    const other = await upload(pod, dan, '/same.bin', data, { chunkSizes: SMALL_CHUNKS });
    assert.equal(other.chunksSent, 1);
    assert.equal(Buffer.compare((await fetchContent(pod, cat, 'path=/rot.bin')).body, data), 0);
  });

  it('keeps downloads by content hash, so the same content never crosses the network twice', async () => {
    const eve = await pod.user('eve');
    const data = bytes(50_000, 43);
    await upload(pod, eve, '/a.bin', data);
    await upload(pod, eve, '/copy-of-a.bin', data);
    const cacheDir = join(pod.dataDir, 'cache');
    const into = (name: string) => join(pod.dataDir, 'downloads', name);
    const first = await downloadFile({ server: pod.url, token: eve.token, target: '/a.bin', to: into('a'), cacheDir });
    assert.deepEqual([first.source, first.bytesReceived], ['network', 50_000]);
    assert.equal(Buffer.compare(readFileSync(into('a')), data), 0);
    const second = await downloadFile({ server: pod.url, token: eve.token, target: '/copy-of-a.bin', to: into('b'), cacheDir });
    assert.deepEqual([second.source, second.bytesReceived], ['cache', 0]);
    assert.equal(Buffer.compare(readFileSync(into('b')), data), 0);
    assert.equal((await downloadFile({ server: pod.url, token: eve.token, target: '/a.bin', to: into('a'), cacheDir })).source, 'destination');
    // A damaged cache entry is noticed and fetched again, never handed out.
    const cached = join(cacheDir, first.hash.slice(0, 2), first.hash);
    writeFileSync(cached, bytes(50_000, 44));
    const third = await downloadFile({ server: pod.url, token: eve.token, target: '/a.bin', to: into('c'), cacheDir });
    assert.equal(third.source, 'network');
    assert.equal(Buffer.compare(readFileSync(into('c')), data), 0);
    assert.equal(Buffer.compare(readFileSync(cached), data), 0);
  });
});
