import { uploadFile } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { collectGarbage } from '../src/apps/files/gc.ts';
import { openBlobDriver } from '../src/blobs/index.ts';
import type { BlobTables } from '../src/store/schema.ts';
import { davUser } from './helpers/dav.ts';
import { bytes, contentOf, fetchContent, gcContext } from './helpers/files.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const pastGrace = () => Date.now() + 2 * 60 * 60 * 1000;

/** Hashes of the blobs in the blob driver itself (files on disk, objects in the bucket). */
async function driverBlobs(pod: TestPod): Promise<string[]> {
  const driver = await openBlobDriver(pod.config.blobsUrl);
  try {
    const keys: string[] = [];
    for await (const key of driver.keys()) keys.push(key);
    return keys;
  } finally {
    await driver.close();
  }
}

describe('files: a small file is kept in the store, in the transaction of its commit', () => {
  let pod: TestPod;
  let values: Kysely<BlobTables>;
  const storedValues = async () => (await values.selectFrom('blob_values').select('hash').orderBy('hash').execute()).map((row) => row.hash);

  before(async () => {
    pod = await startTestPod();
    values = pod.pod.store.db as unknown as Kysely<BlobTables>;
  });
  after(async () => {
    await pod.close();
  });

  it('sent whole (SDK or WebDAV), it writes no blob file, reads back identical, and its bytes are stored once', async () => {
    const ann = await davUser(pod, 'ann');
    const bob = await pod.user('bob');
    const letter = bytes(100 * 1024, 1);
    const note = bytes(3000, 2);
    const sent = await uploadFile({ server: pod.url, token: ann.token, path: '/letter.bin', source: letter });
    assert.equal(sent.bytesSent, letter.length);
    assert.equal((await ann.dav('PUT', '/note.bin', { body: new Uint8Array(note) })).status, 201);

    assert.deepEqual(await driverBlobs(pod), [], 'no blob file, no bucket object');
    assert.deepEqual(await storedValues(), [sha256(letter), sha256(note)].sort());
    assert.equal(Buffer.compare(await contentOf(pod, ann, '/letter.bin'), letter), 0);
    const viaDav = await ann.dav('GET', '/note.bin');
    assert.equal(Buffer.compare(viaDav.body, note), 0);
    assert.equal(viaDav.headers.get('etag'), `"${sha256(note)}"`);

    // Another user with the same bytes sends them (they prove nothing), and they are kept once.
    const again = await uploadFile({ server: pod.url, token: bob.token, path: '/mine.bin', source: letter });
    assert.equal(again.bytesSent, letter.length);
    assert.deepEqual(await storedValues(), [sha256(letter), sha256(note)].sort());
    // The same user uploading it again sends nothing.
    assert.equal((await uploadFile({ server: pod.url, token: bob.token, path: '/copy.bin', source: letter })).bytesSent, 0);
    assert.equal(Buffer.compare(await contentOf(pod, bob, '/copy.bin'), letter), 0);
  });

  it('refuses a body that does not match the hash the client declared, and keeps nothing of it', async () => {
    const cat = await pod.user('cat');
    const data = bytes(5000, 3);
    const before = await storedValues();
    const response = await fetch(`${pod.url}/v1/files/content?path=/liar.bin&size=${data.length}&hash=${sha256(bytes(5000, 4))}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${cat.token}` },
      body: new Uint8Array(data),
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'invalid');
    assert.deepEqual(await storedValues(), before);
    assert.equal((await fetchContent(pod, cat, 'path=/liar.bin')).status, 404);
  });

  it('a rotten value is never served, and the next upload of its bytes heals it', async () => {
    const dan = await pod.user('dan');
    const data = bytes(40_000, 5);
    await uploadFile({ server: pod.url, token: dan.token, path: '/rot.bin', source: data });
    // Bit rot: the stored value (header byte and all) replaced by others of its length.
    await sql`update blob_values set value = ${Buffer.concat([Buffer.from([0]), bytes(40_000, 77)])} where hash = ${sha256(data)}`.execute(values);
    const rotten = await fetchContent(pod, dan, 'path=/rot.bin');
    assert.equal(rotten.status, 500);
    assert.equal((JSON.parse(rotten.body.toString()) as { error: { code: string } }).error.code, 'internal');
    // The read reported it damaged: the owner is asked for the bytes again, and they replace the rotten ones.
    const healing = await uploadFile({ server: pod.url, token: dan.token, path: '/again.bin', source: data });
    assert.equal(healing.bytesSent, data.length);
    assert.equal(Buffer.compare(await contentOf(pod, dan, '/rot.bin'), data), 0);
  });

  it('is collected with the last file that names it', async () => {
    const eve = await pod.user('eve');
    const data = bytes(20_000, 6);
    await uploadFile({ server: pod.url, token: eve.token, path: '/brief.bin', source: data });
    assert.ok((await storedValues()).includes(sha256(data)));
    await eve.op('files.delete', { target: '/brief.bin' });
    await eve.op('files.trash.empty', {});
    await collectGarbage(gcContext(pod), pastGrace());
    assert.equal((await storedValues()).includes(sha256(data)), false, 'its value is gone');
    assert.equal((await fetchContent(pod, eve, `path=/brief.bin`)).status, 404);
  });
});
