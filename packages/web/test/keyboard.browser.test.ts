import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestPod, type TestPod, type TestUser } from '../../server/test/helpers/pod.ts';
import { launchChromium, openTab, screenshot, signIn, type TabUnderTest } from './browser-harness.ts';

/**
 * The main actions from the keyboard alone, and a name on every control of every main view,
 * in Chromium against a real server (embedded profile only, as app.browser.test.ts).
 */

let pod: TestPod;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let a: TabUnderTest;

/** Roles a person operates; each must have an accessible name for a screen reader to say. */
const CONTROL_ROLES = new Set(['button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch', 'menuitem', 'tab', 'option']);

/** The controls on the page that have no accessible name, as Chromium's accessibility tree reports it. */
async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    return nodes
      .filter((node) => !node.ignored && CONTROL_ROLES.has(String(node.role?.value)) && !String(node.name?.value ?? '').trim())
      .map((node) => `${node.role?.value} (DOM node ${node.backendDOMNodeId})`);
  } finally {
    await cdp.detach();
  }
}

/**
 * Presses Tab until the focused element's accessible name matches `name`, as a person moving
 * through the page would; fails when it is not reached within `limit` presses.
 */
async function tabTo(page: Page, name: RegExp, limit = 60): Promise<void> {
  const passed: string[] = [];
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const labelled = el.getAttribute('aria-label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null) ?? el.closest('label')?.textContent;
      return (labelled ?? el.textContent ?? '').trim();
    });
    if (name.test(focused)) return;
    passed.push(focused);
  }
  throw new Error(`${name} was not reached with ${limit} presses of Tab, which went through: ${passed.join(' | ')}`);
}

before(async () => {
  pod = await startTestPod();
  browser = await launchChromium();
  [alice, bob] = await Promise.all([pod.user('alice'), pod.user('bob')]);
  a = await openTab(browser, pod.url);
  await signIn(a.page, 'alice', alice.password);
});

after(async () => {
  await browser?.close();
  await pod?.close();
});

test('a buddy request, a message and a new folder, from the keyboard alone', async () => {
  const page = a.page;
  await page.keyboard.press('Alt+3');
  await page.getByRole('heading', { name: 'Find people' }).waitFor();
  await tabTo(page, /^Search by name or profile$/);
  await page.keyboard.type('bob');
  await page.keyboard.press('Enter');
  await tabTo(page, /^Send bob a buddy request$/);
  await page.keyboard.press('Enter');
  await page.getByText('Waiting for an answer').waitFor();
  await bob.op('buddies.accept', { name: 'alice' });
  await page.locator('li[data-buddy="bob"]').waitFor();

  await tabTo(page, /^Message bob$/);
  await page.keyboard.press('Enter');
  await page.getByLabel('Message to bob').waitFor();
  await tabTo(page, /^Message to bob$/);
  await page.keyboard.type('typed without a mouse');
  await page.keyboard.press('Enter');
  await page.getByTestId('message').filter({ hasText: 'typed without a mouse' }).waitFor();
  assert.deepEqual((await bob.op('im.history', { with: 'alice' })).messages.map((m) => m.text), ['typed without a mouse']);

  await page.keyboard.press('Alt+2');
  await page.getByRole('navigation', { name: 'File places' }).waitFor();
  await tabTo(page, /^New folder name$/);
  await page.keyboard.type('Notes');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Notes', exact: true }).waitFor();
  await tabTo(page, /^Rename Notes$/);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await tabTo(page, /^Share Notes$/);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Share Notes' });
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(a.errors, []);
});

test('every control of every main view has a name', async () => {
  const page = a.page;
  const views: [string, () => Promise<unknown>][] = [
    ['messages', async () => page.goto('/messages/bob').then(() => page.getByTestId('message').first().waitFor())],
    ['files', async () => page.goto('/files').then(() => page.getByRole('button', { name: 'Notes', exact: true }).waitFor())],
    ['share dialog', async () => page.getByRole('button', { name: 'Share Notes' }).click().then(() => page.getByRole('dialog', { name: 'Share Notes' }).getByText('Close').waitFor())],
    ['shared with me', async () => page.goto('/files/shared').then(() => page.getByRole('button', { name: 'Shared with me' }).waitFor())],
    ['trash', async () => page.goto('/files/trash').then(() => page.getByText('The trash is empty.').waitFor())],
    ['buddies', async () => page.goto('/buddies').then(() => page.locator('li[data-buddy="bob"]').waitFor())],
    ['profile', async () => page.goto('/buddies/bob').then(() => page.getByRole('region', { name: 'Profile of bob' }).getByRole('button', { name: 'Block' }).waitFor())],
    ['settings', async () => page.goto('/settings').then(() => page.locator('table.sessions tbody tr').first().waitFor())],
    ['help', async () => page.goto('/help').then(() => page.getByRole('heading', { name: 'Help', exact: true }).waitFor())],
    ['search', async () => page.goto('/search').then(() => page.getByRole('search').first().waitFor())],
    ['rooms directory', async () => page.goto('/rooms').then(() => page.getByLabel('Find rooms by name or topic').waitFor())],
    ['expanded view', async () => page.keyboard.press('Alt+0').then(() => page.getByRole('complementary', { name: 'Contacts' }).locator('li[data-contact="bob"]').waitFor())],
  ];
  const unnamed: string[] = [];
  for (const [view, open] of views) {
    await open();
    unnamed.push(...(await unnamedControls(page)).map((control) => `${view}: ${control}`));
  }
  await screenshot(page, 'keyboard-01-expanded-room-directory');
  assert.deepEqual(unnamed, []);
  assert.deepEqual(a.errors, []);
});
