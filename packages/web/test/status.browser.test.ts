import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestPod, type TestPod, type TestUser } from '../../server/test/helpers/pod.ts';
import { collectErrors, launchChromium, openTab, signIn } from './browser-harness.ts';

/**
 * The Status form in Settings, opened straight by URL before my presence has loaded (in
 * Chromium against a real server, embedded profile only, as app.browser.test.ts).
 */

let pod: TestPod;
let browser: Browser;
let alice: TestUser;

before(async () => {
  pod = await startTestPod();
  browser = await launchChromium();
  alice = await pod.user('alice');
});

after(async () => {
  await browser?.close();
  await pod?.close();
});

/** Holds the server's answers to presence.list until `release`, as a slow server would. */
async function holdPresenceList(page: Page): Promise<{ release: () => void }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.routeWebSocket(/\/v1\/ws$/, (ws) => {
    const server = ws.connectToServer();
    const held = new Set<string>();
    ws.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { t: string; id?: string; op?: string };
      if (frame.t === 'req' && frame.op === 'presence.list') held.add(frame.id!);
      server.send(message);
    });
    server.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { t: string; id?: string };
      if (frame.t === 'res' && held.has(frame.id!)) void released.then(() => ws.send(message));
      else ws.send(message);
    });
  });
  return { release };
}

async function showsValue(field: Locator, value: string): Promise<void> {
  const handle = await field.elementHandle();
  await field.page().waitForFunction(([element, wanted]) => (element as HTMLInputElement).value === wanted, [handle, value] as const, { timeout: 5000 });
}

test('the status form opened by URL before my presence loads shows my status and text once known, and saving another status keeps the text', async () => {
  await alice.op('presence.set', { status: 'busy', text: 'In a meeting' });
  const tab = await openTab(browser, pod.url);
  await signIn(tab.page, 'alice', alice.password);
  await tab.page.close();

  // A reload straight onto /settings, in a fresh page of the signed-in browser.
  const page = await tab.context.newPage();
  const errors = collectErrors(page);
  const { release } = await holdPresenceList(page);
  await page.goto('/settings');
  const form = page.getByRole('region', { name: 'Status and profile' });
  const presence = form.getByLabel('Presence');
  const text = form.getByLabel('Status text');
  const save = form.getByRole('button', { name: 'Save' });
  await text.waitFor();
  assert.equal(await save.isDisabled(), true, 'no saving over a status not yet known');

  release();
  await showsValue(presence, 'busy');
  await showsValue(text, 'In a meeting');
  await presence.selectOption('away');
  await save.click();
  await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const [mine] = (await alice.op('presence.list', {})).presence;
  assert.deepEqual(mine, { name: 'alice', status: 'away', text: 'In a meeting' });
  assert.equal((await alice.op('profile.get', {})).statusText, 'In a meeting');

  // Another device changes it while the form is untouched: the form follows.
  await alice.op('presence.set', { status: 'busy', text: 'Back at 3' });
  await showsValue(presence, 'busy');
  await showsValue(text, 'Back at 3');
  assert.deepEqual(errors, []);
  await tab.context.close();
});

test('appearing offline, the status form opened by URL still shows my status text, and going online keeps it', async () => {
  const tab = await openTab(browser, pod.url);
  await signIn(tab.page, 'alice', alice.password);
  await tab.page.goto('/settings');
  const form = tab.page.getByRole('region', { name: 'Status and profile' });
  await form.getByLabel('Presence').selectOption('offline');
  await form.getByLabel('Status text').fill('On holiday');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

  // Buddies (and my own devices) see an invisible user without text; the form still has it.
  await tab.page.reload();
  await showsValue(form.getByLabel('Presence'), 'offline');
  await showsValue(form.getByLabel('Status text'), 'On holiday');
  await form.getByLabel('Presence').selectOption('online');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const [mine] = (await alice.op('presence.list', {})).presence;
  assert.deepEqual(mine, { name: 'alice', status: 'online', text: 'On holiday' });
  assert.deepEqual(tab.errors, []);
  await tab.context.close();
});
