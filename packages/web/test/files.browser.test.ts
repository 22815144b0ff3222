import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { chunkAll, nodeSha256 } from '@pod/sdk/node';
import type { Browser, Locator, Request, Route } from 'playwright-core';
import { befriend, startTestPod, type TestPod, type TestUser } from '../../server/test/helpers/pod.ts';
import { launchChromium, openTab, screenshot, signIn, type TabUnderTest } from './browser-harness.ts';

/** The files view in Chromium against a real server (embedded profile only, as app.browser.test.ts). */

let pod: TestPod;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let a: TabUnderTest;
let b: TabUnderTest;
const report = randomBytes(3 * 1024 * 1024 + 123);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Drops files on `target` as a desktop drag would: a DataTransfer built in the page, dragenter, dragover, drop. */
async function dropFiles(target: Locator, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  const encoded = files.map((f) => ({ name: f.name, data: Buffer.from(f.bytes).toString('base64') }));
  await target.evaluate((element, files) => {
    const data = new DataTransfer();
    for (const f of files) data.items.add(new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name, { type: 'application/octet-stream' }));
    for (const type of ['dragenter', 'dragover', 'drop']) element.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }, encoded);
}

before(async () => {
  pod = await startTestPod();
  browser = await launchChromium();
  alice = await pod.user('alice');
  bob = await pod.user('bob');
  await befriend(alice, bob);
  a = await openTab(browser, pod.url);
  b = await openTab(browser, pod.url);
  await signIn(a.page, 'alice', alice.password);
  await signIn(b.page, 'bob', bob.password);
});

after(async () => {
  await browser?.close();
  await pod?.close();
});

test('a file dropped from the desktop uploads with a progress bar, is shared, and the other person downloads the same bytes', async () => {
  await a.page.getByRole('button', { name: 'Files' }).click();
  await a.page.getByText('This folder is empty.').waitFor();
  await dropFiles(a.page.getByTestId('file-drop'), [{ name: 'report.bin', bytes: report }]);
  await a.page.getByRole('progressbar', { name: 'Uploading report.bin' }).waitFor();
  await a.page.getByRole('link', { name: 'Download report.bin' }).waitFor();
  assert.equal((await alice.op('files.stat', { target: '/report.bin' })).entry.hash, sha256(report));
  await screenshot(a.page, 'files-01-uploaded');

  await a.page.getByRole('button', { name: 'Share report.bin' }).click();
  const dialog = a.page.getByRole('dialog', { name: 'Share report.bin' });
  await dialog.getByLabel('Share with user').fill('bob');
  await dialog.getByRole('button', { name: 'Share', exact: true }).click();
  await dialog.locator('li[data-share="bob"]').getByText('bob: can read').waitFor();
  await dialog.getByLabel('Link password (optional)').fill('open sesame');
  await dialog.getByLabel('Expires after days (optional)').fill('7');
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const link = await dialog.getByLabel('New link (shown once: copy it now)').inputValue();
  assert.match(link, /\/v1\/files\/links\/[A-Za-z0-9_-]{43}$/);
  await dialog.getByText(/with a password, expires/).waitFor();
  await screenshot(a.page, 'files-02-share-dialog');
  await dialog.getByRole('button', { name: 'Close' }).click();
  const shares = await alice.op('files.shares', { target: '/report.bin' });
  assert.deepEqual(shares.shares.map((s) => [s.grantee.name, s.access]), [['bob', 'read']]);
  assert.equal(shares.links.length, 1);

  await b.page.goto('/files/shared');
  const downloading = b.page.waitForEvent('download');
  await b.page.getByRole('link', { name: 'Download report.bin' }).click();
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'report.bin');
  assert.equal(sha256(await readFile((await download.path())!)), sha256(report), 'the bytes downloaded are the bytes uploaded');
  await screenshot(b.page, 'files-03-shared-with-me');
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('the share dialog shares with the group it shows first, without one being picked (it sent an empty group name)', async () => {
  await a.page.getByRole('button', { name: 'Share report.bin' }).click();
  const dialog = a.page.getByRole('dialog', { name: 'Share report.bin' });
  await dialog.getByLabel('Access for the group').selectOption('write');
  await dialog.getByRole('button', { name: 'Share with group' }).click();
  await dialog.locator('li[data-share="Buddies"]').getByText('Group Buddies: can change').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  const shares = await alice.op('files.shares', { target: '/report.bin' });
  assert.deepEqual(shares.shares.map((s) => [s.grantee.kind, s.grantee.name, s.access]).sort(), [['group', 'Buddies', 'write'], ['user', 'bob', 'read']]);
  assert.deepEqual(a.errors, []);
});

test('an upload cut short by a reload resumes when the same file is picked again, sending only the missing chunks', async () => {
  const big = randomBytes(8 * 1024 * 1024);
  const chunks = (await chunkAll([big], { sha256: nodeSha256 })).chunks.length;
  const through = 2;
  assert.ok(chunks > through + 2, `${chunks} chunks`);

  // The first chunks reach the server; the rest are held as if the network stalled (held, not
  // let go: a request let go after the reload could still arrive), then the page reloads.
  const held: Route[] = [];
  let holding = true;
  let passed = 0;
  let finished = 0;
  let storedEnough!: () => void;
  const enough = new Promise<void>((resolve) => (storedEnough = resolve));
  const onFinished = (request: Request) => {
    if (request.method() === 'PUT' && ++finished === through) storedEnough();
  };
  a.page.on('requestfinished', onFinished);
  await a.page.route('**/v1/files/uploads/**', (route) => {
    if (!holding || passed < through) {
      passed++;
      return route.continue();
    }
    held.push(route);
  });
  await dropFiles(a.page.getByTestId('file-drop'), [{ name: 'big.bin', bytes: big }]);
  await enough;
  a.page.off('requestfinished', onFinished);
  await a.page.reload();
  holding = false;
  for (const route of held) await route.abort().catch(() => {});

  await a.page.getByText('Unfinished upload of').waitFor();
  await screenshot(a.page, 'files-04-unfinished-upload');
  const sent: string[] = [];
  a.page.on('request', (request) => {
    if (request.method() === 'PUT' && request.url().includes('/v1/files/uploads/')) sent.push(request.url());
  });
  await a.page.getByLabel('Resume big.bin').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: big });
  await a.page.getByRole('link', { name: 'Download big.bin' }).waitFor();
  const counts = a.page.locator('li[data-upload="big.bin"]').getByTestId('upload-counts');
  assert.equal(await counts.innerText(), `${chunks - through} of ${chunks - through} chunks sent, ${through} already on the server (resumed)`);
  assert.equal(sent.length, chunks - through, 'only the chunks that never arrived were sent again');
  await a.page.unrouteAll();
  assert.equal((await alice.op('files.stat', { target: '/big.bin' })).entry.hash, sha256(big));
  await a.page.getByText('Unfinished upload of').waitFor({ state: 'detached' });
  assert.deepEqual(a.errors, []);
});

test('rename, move, delete to the trash and restore', async () => {
  const page = a.page;
  await page.getByRole('button', { name: 'Rename big.bin' }).click();
  await page.getByLabel('New name for big.bin').fill('archive.bin');
  await page.getByLabel('New name for big.bin').press('Enter');
  await page.getByRole('link', { name: 'Download archive.bin' }).waitFor();
  await page.getByLabel('New folder name').fill('Old');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await page.getByRole('button', { name: 'Move archive.bin' }).click();
  await page.getByLabel('Move archive.bin to folder').fill('/Old');
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await page.getByRole('link', { name: 'Download archive.bin' }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Old', exact: true }).click();
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByText('Old').waitFor();
  await page.getByRole('button', { name: 'Delete archive.bin' }).click();
  await page.getByText('This folder is empty.').waitFor();
  await page.getByRole('navigation', { name: 'File places' }).getByRole('button', { name: 'Trash' }).click();
  await screenshot(page, 'files-05-trash');
  await page.getByRole('button', { name: 'Restore archive.bin' }).click();
  await page.getByText('The trash is empty.').waitFor();
  assert.equal((await alice.op('files.stat', { target: '/Old/archive.bin' })).entry.trashedAt, null);
  assert.deepEqual(a.errors, []);
});

test('a file dragged onto a buddy in the contacts window is sent to them, and a file dropped into a conversation is attached', async () => {
  await a.page.goto('/files');
  await a.page.getByRole('link', { name: 'Download report.bin' }).waitFor();
  await a.page.keyboard.press('Alt+0');
  const bobInContacts = a.page.locator('li[data-contact="bob"]');
  await bobInContacts.waitFor();
  await a.page.locator('.file-row[data-file="report.bin"]').dragTo(bobInContacts);
  await a.page.getByRole('status').filter({ hasText: 'Sent report.bin to bob.' }).waitFor();
  await screenshot(a.page, 'files-06-expanded-sent-to-buddy');
  const history = await bob.op('im.history', { with: 'alice' });
  assert.deepEqual(history.messages.map((m) => m.attachments?.map((f) => f.name)), [['report.bin']]);

  const note = Buffer.from('minutes of the meeting\n');
  await a.page.goto('/messages/bob');
  await dropFiles(a.page.getByTestId('conversation-drop'), [{ name: 'minutes.txt', bytes: note }]);
  await a.page.getByTestId('message').getByRole('link', { name: /^Download minutes\.txt/ }).waitFor();

  await b.page.goto('/messages/alice');
  const attachment = b.page.getByTestId('message').getByRole('link', { name: /^Download minutes\.txt/ });
  await attachment.waitFor();
  await b.page.getByTestId('message').getByRole('link', { name: /^Download report\.bin/ }).waitFor();
  const downloading = b.page.waitForEvent('download');
  await attachment.click();
  assert.equal(sha256(await readFile((await (await downloading).path())!)), sha256(note));
  await screenshot(b.page, 'files-07-attachments');
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('a large file is uploaded from slices of it, never read whole into memory', async () => {
  await a.page.goto('/files');
  await a.page.getByRole('link', { name: 'Download report.bin' }).waitFor();
  const size = 13 * 1024 * 1024;
  // Every read of a Blob's bytes is recorded; the file is made in the page, so it never crosses the wire to it.
  await a.page.getByTestId('file-drop').evaluate((element, size) => {
    const reads: number[] = [];
    (window as unknown as { blobReads: number[] }).blobReads = reads;
    const arrayBuffer = Blob.prototype.arrayBuffer;
    Blob.prototype.arrayBuffer = function (this: Blob) {
      reads.push(this.size);
      return arrayBuffer.call(this);
    };
    const bytes = new Uint8Array(size);
    for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'large.bin', { type: 'application/octet-stream' }));
    for (const type of ['dragenter', 'dragover', 'drop']) element.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }, size);
  await a.page.getByRole('link', { name: 'Download large.bin' }).waitFor();
  // The server checked the whole file's SHA-256 at commit: the pieces were hashed as one.
  assert.equal((await alice.op('files.stat', { target: '/large.bin' })).entry.size, size);
  const reads = await a.page.evaluate(() => (window as unknown as { blobReads: number[] }).blobReads);
  assert.ok(reads.length > 3, `${reads.length} reads`);
  assert.ok(Math.max(...reads) <= 4 * 1024 * 1024, `no read larger than a piece or a chunk (4 MiB): ${Math.max(...reads)} bytes`);
  assert.deepEqual(a.errors, []);
});
