import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { uploadFile } from '@pod/sdk/node';
import type { Browser, Locator, Page } from 'playwright-core';
import { copyItem } from '../../server/src/apps/files/copy.ts';
import { insertMessages } from '../../server/src/apps/im/im.repo.ts';
import { newMessageId } from '../../server/src/apps/message-id.ts';
import { appSettingsOf } from '../../server/src/main.ts';
import type { WriteScope } from '../../server/src/runtime/app.ts';
import type { FilesTables, ImTables } from '../../server/src/store/schema.ts';
import { befriend, startTestPod, type TestPod, type TestUser } from '../../server/test/helpers/pod.ts';
import { launchChromium, openTab, screenshot, signIn, type TabUnderTest } from './browser-harness.ts';

/**
 * Long lists in Chromium against a real server (embedded profile only, as app.browser.test.ts):
 * a conversation of 10,000 messages and a folder of 1,000 files open at once, page in as they
 * scroll, and keep a bounded number of rows in the page (the lists are virtualised).
 */

const MESSAGES = 10_000;
const FILES = 1_000;
/** Rows the page may hold: what fits in the window plus the virtualiser's overscan, far below the list's length. */
const MAX_ROWS = 80;

let pod: TestPod;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let tab: TabUnderTest;

/**
 * Seeding goes straight to the store, through the apps' own repository code, in one
 * transaction: ten thousand requests through the socket would take the test most of a minute
 * on a busy two-core machine, and what is under test here is the browser's side.
 */
function seedInStore<T>(fn: (scope: WriteScope<T>) => Promise<void>): Promise<void> {
  return pod.pod.store.transaction((tx) => fn({ tx: tx as never, now: new Date().toISOString(), emit: async () => {}, retractEvents: async () => {}, afterCommit() {}, announce() {} }));
}

async function userId(name: string): Promise<number> {
  const row = await pod.pod.store.db.selectFrom('users').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Scrolls `list` to `top` and waits until it has grown taller than `than` (a page of history arrived). */
async function scrollAndWaitForGrowth(page: Page, list: Locator, top: number, than: number): Promise<number> {
  await list.evaluate((el, top) => el.scrollTo({ top }), top);
  const handle = await list.elementHandle();
  await page.waitForFunction(([el, than]) => (el as HTMLElement).scrollHeight > (than as number), [handle, than] as const);
  return list.evaluate((el) => el.scrollHeight);
}

/**
 * Holds `list` at its top, inside the page, frame after frame, as a person pressing the scroll
 * bar to the top would, until it settles there starting with the row whose text is `text`,
 * with nothing older offered (ten frames in a row: after the last page arrives the list still
 * moves itself down once, to keep the previous top row in view). It moves down after each page
 * of history and is pushed back up at once. Fails when the list stops growing for `waitMs`.
 * Answers how often it grew and the most rows it held at any moment on the way: a
 * MutationObserver counts them after every change, not only between pages.
 */
function holdAtTopUntilFirst(list: Locator, text: string, waitMs: number): Promise<{ growths: number; mostRows: number }> {
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  return list.evaluate(
    async (el, { text, waitMs }) => {
      const row = '[data-testid="message"]';
      let mostRows = el.querySelectorAll(row).length;
      const observer = new MutationObserver(() => (mostRows = Math.max(mostRows, el.querySelectorAll(row).length)));
      observer.observe(el, { childList: true, subtree: true });
      let growths = 0;
      let height = el.scrollHeight;
      let since = performance.now();
      let settled = 0;
      try {
        while (settled < 10) {
          if (el.scrollTop > 0) el.scrollTo({ top: 0 });
          await new Promise(requestAnimationFrame);
          const atFirst = el.scrollTop === 0 && el.querySelector(`${row} .text`)?.textContent === text && !el.textContent!.includes('Scroll up for older messages');
          settled = atFirst ? settled + 1 : 0;
          if (el.scrollHeight > height) {
            height = el.scrollHeight;
            since = performance.now();
            growths++;
          } else if (!atFirst && performance.now() - since > waitMs) {
            throw new Error(`the history stopped growing after ${growths} growths, with ${el.querySelectorAll(row).length} rows rendered`);
          }
        }
      } finally {
        observer.disconnect();
      }
      return { growths, mostRows };
    },
    { text, waitMs },
  );
}

before(async () => {
  pod = await startTestPod();
  browser = await launchChromium();
  [alice, bob] = await Promise.all([pod.user('alice'), pod.user('bob')]);
  await befriend(alice, bob);
  tab = await openTab(browser, pod.url);
  await signIn(tab.page, 'alice', alice.password);
});

after(async () => {
  await browser?.close();
  await pod?.close();
});

test('a conversation of 10,000 messages opens at the newest, pages back to the oldest while scrolling up, and keeps few rows in the page', async () => {
  const started = Date.now();
  const [aliceId, bobId] = await Promise.all([userId('alice'), userId('bob')]);
  await seedInStore<ImTables>(async ({ tx, now }) => {
    for (let start = 0; start < MESSAGES; start += 1000) {
      const page = Array.from({ length: 1000 }, (_, i) => ({ id: newMessageId(), senderId: bobId, senderName: 'bob', recipientId: aliceId, recipientName: 'alice', text: `numbered message ${start + i}`, at: now }));
      await insertMessages(tx, page);
    }
  });
  const seeded = Date.now() - started;
  /** The text of the message `back` places before the newest. */
  const newest = (back: number) => `numbered message ${MESSAGES - 1 - back}`;

  const page = tab.page;
  const opened = Date.now();
  await page.goto('/messages/bob');
  const rows = page.getByTestId('message');
  const history = page.getByRole('log', { name: 'Messages' });
  await rows.locator('.text').filter({ hasText: new RegExp(`^${newest(0)}$`) }).waitFor();
  const openMs = Date.now() - opened;
  const atBottom = await history.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  assert.ok(atBottom < 40, `opens scrolled to the newest message (${atBottom}px above the bottom)`);

  // Each scroll to the top brings the page of 50 before it, and the message just above the old top is in the page.
  let height = await history.evaluate((el) => el.scrollHeight);
  for (let pages = 1; pages <= 6; pages++) {
    height = await scrollAndWaitForGrowth(page, history, 0, height);
    await rows.locator('.text').filter({ hasText: new RegExp(`^${newest(pages * 50)}$`) }).waitFor();
    const count = await rows.count();
    assert.ok(count < MAX_ROWS, `virtualised: ${count} rows in the page with ${(pages + 1) * 50} messages loaded`);
  }
  await screenshot(page, 'scroll-01-ten-thousand-messages');

  // On up to the very first message: every page of the 10,000 arrives, and the rows stay few throughout.
  const journeyStarted = Date.now();
  const journey = await holdAtTopUntilFirst(history, 'numbered message 0', 10_000);
  const journeyMs = Date.now() - journeyStarted;
  assert.ok(journey.mostRows < MAX_ROWS, `virtualised all the way up: at most ${journey.mostRows} rows in the page at once`);
  // The first messages ever sent are at the top, in their order.
  const top = (await rows.locator('.text').allInnerTexts()).slice(0, 10);
  assert.deepEqual(top, Array.from({ length: top.length }, (_, i) => `numbered message ${i}`));
  await screenshot(page, 'scroll-02-oldest-message');
  // Down at the bottom again, the newest is back in the page and the rows stay few.
  await history.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await rows.locator('.text').filter({ hasText: new RegExp(`^${newest(0)}$`) }).waitFor();
  assert.ok((await rows.count()) < MAX_ROWS);
  assert.deepEqual(tab.errors, []);
  console.log(`# ${MESSAGES} messages seeded in ${seeded} ms; the conversation showed the newest ${openMs} ms after navigation; scrolled up to the oldest in ${journeyMs} ms (the list grew ${journey.growths} times, at most ${journey.mostRows} rows at once)`);
});

test('a folder of 1,000 files opens at once and scrolls to its end with few rows in the page', async () => {
  const started = Date.now();
  await uploadFile({ server: pod.url, token: alice.token, path: '/Many/file 0000.txt', source: new TextEncoder().encode('the same few bytes\n') });
  const { entry } = await alice.op('files.stat', { target: '/Many/file 0000.txt' });
  const source = await pod.pod.store.db.selectFrom('files_nodes').selectAll().where('id', '=', entry.id).executeTakeFirstOrThrow();
  // Copies share the original's chunks: a thousand files without a thousand uploads.
  await seedInStore<FilesTables>(async (scope) => {
    for (let i = 1; i < FILES; i++) await copyItem(scope, appSettingsOf(pod.config), source.user_id, source, source.parent_id, `file ${String(i).padStart(4, '0')}.txt`);
  });
  const seeded = Date.now() - started;

  const page = tab.page;
  await page.goto('/files/%2FMany');
  const rows = page.locator('.file-row');
  await rows.filter({ hasText: 'file 0000.txt' }).waitFor();
  assert.ok((await rows.count()) < MAX_ROWS, `virtualised: ${await rows.count()} rows in the page for ${FILES} files`);
  const list = page.getByRole('list', { name: 'Items in /Many' });
  await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
  await rows.filter({ hasText: 'file 0500.txt' }).waitFor();
  await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await rows.filter({ hasText: 'file 0999.txt' }).waitFor();
  assert.equal(await rows.filter({ hasText: 'file 0000.txt' }).count(), 0, 'rows scrolled out of view leave the page');
  assert.ok((await rows.count()) < MAX_ROWS, `virtualised: ${await rows.count()} rows in the page for ${FILES} files`);
  await screenshot(page, 'scroll-03-thousand-files');
  assert.deepEqual(tab.errors, []);
  console.log(`# ${FILES} files seeded in ${seeded} ms`);
});
