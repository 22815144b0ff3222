import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { befriend, startTestPod, type TestPod, type TestUser } from '../../server/test/helpers/pod.ts';
import { launchChromium, openTab, screenshot, signIn, type TabUnderTest } from './browser-harness.ts';

/** Message search in Chromium against a real server (embedded profile only, as app.browser.test.ts). */

let pod: TestPod;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let b: TabUnderTest;

before(async () => {
  pod = await startTestPod();
  browser = await launchChromium();
  alice = await pod.user('alice');
  bob = await pod.user('bob');
  await befriend(alice, bob);
  await alice.op('rooms.create', { name: 'garden', topic: 'Vegetables' });
  await bob.op('rooms.join', { room: 'garden' });
  await alice.op('rooms.send', { room: 'garden', text: 'The tomatoes are ripe' });
  await bob.op('rooms.send', { room: 'garden', text: 'Ripe tomatoes <b>everywhere</b>' });
  await alice.op('im.send', { to: 'bob', text: 'Tomatoes for dinner?' });
  for (let i = 1; i <= 25; i++) await alice.op('rooms.send', { room: 'garden', text: `harvest note ${i}` });
  b = await openTab(browser, pod.url);
  await signIn(b.page, 'bob', bob.password);
});

after(async () => {
  await browser?.close();
  await pod?.close();
});

const results = (page: Page) => page.getByRole('list', { name: 'Results' }).getByRole('listitem');

async function search(page: Page, words: string, filters: { from?: string; in?: string; since?: string; until?: string } = {}): Promise<void> {
  const view = page.getByRole('region', { name: 'Search messages' });
  await view.getByLabel('Words').fill(words);
  await view.getByLabel('From').fill(filters.from ?? '');
  await view.getByLabel('In which room or conversation').selectOption({ label: filters.in ?? 'everywhere' });
  await view.getByLabel('On or after').fill(filters.since ?? '');
  await view.getByLabel('On or before').fill(filters.until ?? '');
  await view.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Searching…' }).waitFor({ state: 'detached' });
}

const day = (offset: number) => {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

test('search finds messages in rooms and conversations, filtered by sender, place and date, paged, and opens them', async () => {
  const page = b.page;
  await page.keyboard.press('Alt+6');
  await page.getByRole('region', { name: 'Search messages' }).waitFor();

  await search(page, 'tomatoes');
  assert.equal(await results(page).count(), 3);
  // Text stays text: the markup a user typed is shown, not rendered.
  await results(page).filter({ hasText: 'Ripe tomatoes <b>everywhere</b>' }).waitFor();
  assert.equal(await page.locator('.results b').count(), 0);
  await results(page).first().locator('mark', { hasText: /tomatoes/i }).first().waitFor();
  await screenshot(page, 'search-01-results');

  await search(page, 'tomatoes', { from: 'alice' });
  assert.deepEqual((await results(page).locator('.text').allInnerTexts()).sort(), ['The tomatoes are ripe', 'Tomatoes for dinner?']);
  await search(page, 'tomatoes', { in: '#garden' });
  assert.equal(await results(page).count(), 2);
  await search(page, 'tomatoes', { in: 'conversation with alice' });
  assert.equal(await results(page).count(), 1);
  await search(page, 'tomatoes', { since: day(1) });
  await page.getByText('No messages found.').waitFor();
  await search(page, 'tomatoes', { since: day(-1), until: day(0) });
  assert.equal(await results(page).count(), 3);

  // Pages of 20: the rest on request, then no more.
  await search(page, 'harvest');
  assert.equal(await results(page).count(), 20);
  await page.getByRole('button', { name: 'More results' }).click();
  await page.getByRole('button', { name: 'More results' }).waitFor({ state: 'detached' });
  assert.equal(await results(page).count(), 25);

  await search(page, 'dinner');
  await results(page).getByRole('button').click();
  await page.getByRole('region', { name: 'Conversation with alice' }).waitFor();
  await page.keyboard.press('Alt+6');
  await search(page, 'ripe', { from: 'alice' });
  await results(page).getByRole('button').click();
  await page.getByRole('region', { name: 'Room #garden' }).waitFor();
  assert.deepEqual(b.errors, []);
});

test('someone kicked from a room finds none of its messages, only their conversations', async () => {
  await alice.op('rooms.kick', { room: 'garden', user: 'bob' });
  const page = b.page;
  await page.keyboard.press('Alt+6');
  await page.getByRole('region', { name: 'Search messages' }).getByRole('option', { name: '#garden' }).waitFor({ state: 'detached' });
  await search(page, 'tomatoes');
  assert.deepEqual(await results(page).locator('.text').allInnerTexts(), ['Tomatoes for dinner?']);
  await search(page, 'harvest');
  await page.getByText('No messages found.').waitFor();
  assert.deepEqual(b.errors, []);
});
