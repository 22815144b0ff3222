import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestPod, type TestPod, type TestUser } from '../../server/test/helpers/pod.ts';
import { launchChromium, openTab, screenshot, signIn, type TabUnderTest } from './browser-harness.ts';

/**
 * The pod application in Debian's Chromium against a real server, in the embedded profile
 * only: scripts/test.js leaves *.browser.test.ts out of the distributed pass, where the
 * browser would drive the same gateway code again.
 */

let pod: TestPod;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let a: TabUnderTest;
let b: TabUnderTest;

before(async () => {
  pod = await startTestPod();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await pod?.close();
});

test('with no account yet the application explains how to create one', async () => {
  const tab = await openTab(browser, pod.url);
  const response = await tab.page.goto('/');
  const csp = response!.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'(;|$)/, 'scripts only from the server, none inline');
  assert.match(csp, /connect-src 'self' ws:\/\/[^ ]+ wss:\/\//);
  await tab.page.getByRole('heading', { name: 'Welcome to Pod' }).waitFor();
  await tab.page.getByText('pod user create NAME --admin --password-stdin').waitFor();
  await screenshot(tab.page, '01-first-run');
  assert.deepEqual(tab.errors, []);
  await tab.context.close();
});

test('two people sign in, become buddies by drag and drop, and message each other live', async () => {
  alice = await pod.user('alice');
  bob = await pod.user('bob');
  a = await openTab(browser, pod.url);
  b = await openTab(browser, pod.url);
  await a.page.goto('/');
  await screenshot(a.page, '02-sign-in');
  await signIn(a.page, 'alice', alice.password);
  await signIn(b.page, 'bob', bob.password);
  assert.equal(await a.page.evaluate(() => document.cookie), '', 'the session cookie is not readable by scripts');

  await a.page.getByRole('button', { name: 'Buddies & search' }).click();
  await a.page.getByLabel('Search by name or profile').fill('bob');
  await a.page.getByRole('button', { name: 'Search', exact: true }).click();
  await a.page.locator('li[data-person="bob"]').dragTo(a.page.getByTestId('buddy-list'));
  await a.page.getByText('Waiting for an answer').waitFor();

  await b.page.getByRole('button', { name: 'Buddies & search' }).click();
  await b.page.getByRole('button', { name: 'Accept alice' }).click();
  await a.page.locator('li[data-buddy="bob"]').waitFor();
  await screenshot(a.page, '03-buddies');

  // Bob is elsewhere when the message arrives: his device says delivered, not read.
  await a.page.getByRole('button', { name: 'Message bob' }).click();
  await a.page.getByLabel('Message to bob').fill('Hello Bob');
  await a.page.getByLabel('Message to bob').press('Enter');
  const first = a.page.getByTestId('message').filter({ hasText: 'Hello Bob' });
  await first.locator('[data-mark="delivered"]').waitFor();

  await b.page.getByRole('button', { name: /^Messages, 1 unread$/ }).click();
  await b.page.getByRole('button', { name: 'Conversation with alice, 1 unread' }).click();
  await b.page.getByTestId('message').filter({ hasText: 'Hello Bob' }).waitFor();
  await first.locator('[data-mark="read"]').waitFor();

  // With the conversation open, a reply shows up live on the other side.
  await b.page.getByLabel('Message to alice').fill('Hi Alice');
  await b.page.getByLabel('Message to alice').press('Enter');
  await a.page.getByTestId('message').filter({ hasText: 'Hi Alice' }).waitFor();
  await screenshot(a.page, '04-conversation');
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('a chosen skin is stored on the server and is still there after a reload', async () => {
  await a.page.getByRole('button', { name: 'Settings' }).click();
  await a.page.getByRole('radio', { name: 'Night' }).click();
  await a.page.getByText('Skin "Night" saved to your account.').waitFor();
  assert.equal((await alice.op('settings.get', {})).skin?.name, 'Night');
  await a.page.reload();
  await a.page.getByRole('radio', { name: 'Night', checked: true }).waitFor();
  assert.equal(await a.page.evaluate(() => document.documentElement.dataset.skin), 'Night');
  await screenshot(a.page, '05-settings-night-skin');

  // Import: a skin with CSS smuggled into a colour is refused; a valid one is applied and saved.
  const night = await a.page.evaluate(() => localStorage.getItem('pod.skin')!);
  const bad = { ...JSON.parse(night), name: 'Bad', colors: { ...JSON.parse(night).colors, text: 'red; background: url(//evil)' } };
  const input = a.page.getByLabel('Skin file to import');
  await input.setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  await a.page.getByText('bad.json is not a valid skin: colors.text').waitFor();
  await input.setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...JSON.parse(night), name: 'Mine', radius: 0 })) });
  await a.page.getByText('Skin "Mine" saved to your account.').waitFor();
  assert.equal((await alice.op('settings.get', {})).skin?.name, 'Mine');
  await a.page.getByRole('radio', { name: 'Night' }).click();
  await a.page.getByText('Skin "Night" saved to your account.').waitFor();

  // Export: the file holds the skin stored with the account.
  const exporting = a.page.waitForEvent('download');
  await a.page.getByRole('button', { name: 'Export this skin' }).click();
  const exported = await exporting;
  assert.equal(exported.suggestedFilename(), 'night.skin.json');
  assert.deepEqual(JSON.parse(await readFile((await exported.path())!, 'utf8')), (await alice.op('settings.get', {})).skin);
  assert.deepEqual(a.errors, []);
});

test('sessions are listed and another device can be signed out', async () => {
  const rows = a.page.locator('table.sessions tbody tr');
  await rows.filter({ hasText: 'pod application' }).waitFor();
  await rows.filter({ hasText: "alice's test device" }).getByRole('button', { name: /^Sign out alice's test device/ }).click();
  await rows.filter({ hasText: "alice's test device" }).waitFor({ state: 'detached' });
  await assert.rejects(alice.op('auth.whoami', {}), /unauthorized|sign in/i);
  assert.deepEqual(a.errors, []);
});

test('the expanded view, help and a phone-sized screen', async () => {
  await a.page.keyboard.press('Alt+0');
  await a.page.getByRole('complementary', { name: 'Contacts' }).getByText('bob').waitFor();
  await screenshot(a.page, '06-expanded');
  await a.page.keyboard.press('Alt+5');
  await a.page.getByRole('heading', { name: 'Help' }).waitFor();
  await screenshot(a.page, '07-help');
  await b.page.setViewportSize({ width: 375, height: 740 });
  await b.page.getByRole('button', { name: /^Messages\b/ }).click();
  await screenshot(b.page, '08-phone-messages');
  await b.page.getByRole('button', { name: 'Conversation with alice' }).click();
  await b.page.getByTestId('message').filter({ hasText: 'Hi Alice' }).waitFor();
  await screenshot(b.page, '09-phone-conversation');
  await b.page.getByRole('button', { name: 'Back to conversations' }).click();
  await b.page.getByRole('button', { name: 'Conversation with alice' }).waitFor();
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('without the server the installed shell still opens and says so', async () => {
  // The service worker has kept the shell since the first visit.
  await a.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await a.context.setOffline(true);
  await a.page.reload();
  await a.page.getByRole('heading', { name: 'Cannot reach the server' }).waitFor();
  await screenshot(a.page, '10-offline');
  await a.context.setOffline(false);
  await a.page.getByRole('button', { name: 'Try again' }).click();
  await a.page.getByRole('navigation', { name: 'Functions' }).waitFor();
  // The failed loads while offline are the browser's own network errors, not the application's.
  assert.deepEqual(a.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch/.test(e)), []);
  a.errors.length = 0;
});

test('the service worker keeps one cache, of this build, and deletes those of earlier builds when it activates', async () => {
  const tab = await openTab(browser, pod.url);
  // The landing page registers no worker: caches left by earlier builds, and one of another application.
  await tab.page.goto('/welcome');
  await tab.page.evaluate(async () => {
    for (const name of ['pod-shell-v1', 'pod-shell-0123456789abcdef', 'another-app']) await (await caches.open(name)).put('/old', new Response('old'));
  });
  await tab.page.goto('/');
  const keys = await tab.page.evaluate(async () => {
    const worker = (await navigator.serviceWorker.ready).active!;
    if (worker.state !== 'activated') await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve(undefined)));
    return (await caches.keys()).sort();
  });
  const version = /const VERSION = "([0-9a-f]{16})"/.exec(await (await fetch(`${pod.url}/sw.js`)).text())![1];
  assert.deepEqual(keys, ['another-app', `pod-shell-${version}`]);
  const kept = await tab.page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((request) => new URL(request.url).pathname), `pod-shell-${version}`);
  for (const path of ['/', '/welcome', '/manifest.webmanifest', '/icon.svg']) assert.ok(kept.includes(path), `${path} is kept for offline use`);
  assert.ok(kept.some((path) => /^\/assets\/index-.+\.js$/.test(path)), "and the application's scripts");
  assert.deepEqual(tab.errors, []);
  await tab.context.close();
});

test('signing out ends the session on the server', async () => {
  await b.page.getByRole('button', { name: 'Sign out' }).first().click();
  await b.page.getByRole('heading', { name: 'Sign in to Pod' }).waitFor();
  await b.page.reload();
  await b.page.getByRole('heading', { name: 'Sign in to Pod' }).waitFor();
  assert.deepEqual(b.errors, []);
});
