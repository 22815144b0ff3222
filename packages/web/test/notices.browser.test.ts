import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { befriend, startTestPod, type TestPod, type TestUser } from '../../server/test/helpers/pod.ts';
import { launchChromium, openTab, screenshot, signIn, type TabUnderTest } from './browser-harness.ts';

/**
 * The landing page, announcements, help and desktop notifications in Chromium against a real
 * server (embedded profile only, as app.browser.test.ts).
 */

let pod: TestPod;
let browser: Browser;
let root: TestUser;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  pod = await startTestPod();
  browser = await launchChromium();
  [root, alice, bob] = await Promise.all([pod.user('root', { admin: true }), pod.user('alice'), pod.user('bob')]);
  await befriend(alice, bob);
});

after(async () => {
  await browser?.close();
  await pod?.close();
});

test('a visitor finds the landing page from the sign-in page: what Pod is and a FAQ, with no script at all', async () => {
  const visitor = await openTab(browser, pod.url);
  await visitor.page.goto('/');
  const loaded = visitor.page.waitForResponse((response) => new URL(response.url()).pathname === '/welcome');
  await visitor.page.getByRole('link', { name: /What Pod is/ }).click();
  const csp = (await loaded).headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'; style-src 'self'/);
  await visitor.page.getByRole('heading', { level: 1, name: /on a server you trust/ }).waitFor();
  for (const question of ['How do I get an account?', 'Which apps and clients work with Pod?', 'Can I install it like an app?', 'Where does my data live, and who can see it?']) {
    await visitor.page.getByText(question, { exact: true }).waitFor();
  }
  await visitor.page.getByText('Which apps and clients work with Pod?').click();
  await visitor.page.getByText(/WebDAV/).first().waitFor();
  assert.equal(await visitor.page.evaluate(() => document.scripts.length), 0, 'the landing page runs no script');
  assert.equal(await visitor.page.evaluate(() => getComputedStyle(document.querySelector('.intro')!).borderRadius), '8px', 'its stylesheet loaded under the CSP');
  await screenshot(visitor.page, 'notices-01-welcome');
  await visitor.page.getByRole('link', { name: 'Sign in to Pod' }).click();
  await visitor.page.getByRole('heading', { name: 'Sign in to Pod' }).waitFor();
  assert.deepEqual(visitor.errors, []);
  await visitor.context.close();
});

test('an announcement shows after sign-in and live, sanitised, and a dismissal follows the user to another device', async () => {
  const first = await root.op('announcements.post', { markdown: '## Welcome to the pod\n\nRead the [house rules](https://pod.example.org/rules).\n\n<img src="x" onerror="window.__xss = 1"><script>window.__xss = 2</script>' });
  const laptop = await openTab(browser, pod.url);
  const phone = await openTab(browser, pod.url, { viewport: { width: 375, height: 740 } });
  const other = await openTab(browser, pod.url);
  await Promise.all([signIn(laptop.page, 'alice', alice.password), signIn(phone.page, 'alice', alice.password), signIn(other.page, 'bob', bob.password)]);

  const notices = (tab: TabUnderTest) => tab.page.getByRole('region', { name: 'Announcements' }).getByRole('article');
  const welcome = notices(laptop).filter({ hasText: 'Welcome to the pod' });
  await welcome.getByRole('heading', { name: 'Welcome to the pod' }).waitFor();
  const link = welcome.getByRole('link', { name: 'house rules' });
  assert.equal(await link.getAttribute('href'), 'https://pod.example.org/rules');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  assert.equal(await welcome.locator('img, script').count(), 0, 'the image with a handler and the script were removed on the server');
  assert.equal(await laptop.page.evaluate(() => (window as { __xss?: number }).__xss), undefined);

  // Posted while everyone is signed in: it arrives live.
  await root.op('announcements.post', { html: '<p>Maintenance <strong>tonight</strong> at 22:00</p>' });
  for (const tab of [laptop, phone, other]) await notices(tab).filter({ hasText: 'Maintenance tonight at 22:00' }).waitFor();
  await screenshot(laptop.page, 'notices-02-announcements');
  await screenshot(phone.page, 'notices-03-announcements-phone');

  await welcome.getByRole('button', { name: 'Dismiss the announcement from root' }).click();
  await welcome.waitFor({ state: 'detached' });
  await notices(phone).filter({ hasText: 'Welcome to the pod' }).waitFor({ state: 'detached' });
  assert.equal((await alice.op('announcements.list', {})).announcements.find((a) => a.id === first.id)?.dismissed, true);
  await laptop.page.reload();
  await notices(laptop).filter({ hasText: 'Maintenance tonight' }).waitFor();
  assert.equal(await notices(laptop).filter({ hasText: 'Welcome to the pod' }).count(), 0, 'still dismissed after a reload');
  assert.equal(await notices(other).filter({ hasText: 'Welcome to the pod' }).count(), 1, 'bob did not dismiss it');

  for (const tab of [laptop, phone, other]) {
    assert.deepEqual(tab.errors, []);
    await tab.context.close();
  }
});

test('help explains every function', async () => {
  const tab = await openTab(browser, pod.url);
  await signIn(tab.page, 'alice', alice.password);
  await tab.page.keyboard.press('Alt+5');
  await tab.page.getByRole('heading', { name: 'Help', exact: true }).waitFor();
  for (const topic of ['Messages (Alt+1)', 'Buddies & search (Alt+3)', 'Files (Alt+2)', 'Sharing', 'Skins', 'Notifications and announcements', 'WebDAV and app passwords', 'The pod command', 'Installing the app', 'Keyboard shortcuts']) {
    await tab.page.getByRole('heading', { name: topic, exact: true }).waitFor();
  }
  await tab.page.getByText(`${pod.url}/dav/`).waitFor();
  await tab.page.getByRole('row', { name: /Alt\+0/ }).waitFor();
  await screenshot(tab.page, 'notices-04-help');
  assert.deepEqual(tab.errors, []);
  await tab.context.close();
});

test('desktop notifications: asked for from a click in settings, shown for a message from the other user while the window is in the background', async () => {
  const tab = await openTab(browser, pod.url);
  // Every Notification the page constructs is recorded, and then shown as usual.
  await tab.context.addInitScript(() => {
    const Real = window.Notification;
    const shown: Array<{ title: string; body: string | undefined }> = [];
    (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
    window.Notification = class extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body });
      }
    } as typeof Notification;
  });
  await signIn(tab.page, 'bob', bob.password);
  await tab.page.keyboard.press('Alt+4');
  const ask = tab.page.getByRole('button', { name: 'Show desktop notifications for new messages' });
  await ask.waitFor();
  await tab.context.grantPermissions(['notifications']);
  await ask.click();
  await tab.page.getByText('Desktop notifications are on for new messages').waitFor();

  // Another window takes the focus: Playwright otherwise tells every page it has it.
  await (await tab.context.newCDPSession(tab.page)).send('Emulation.setFocusEmulationEnabled', { enabled: false });
  const elsewhere = await tab.context.newPage();
  await elsewhere.bringToFront();
  assert.equal(await tab.page.evaluate(() => document.hasFocus()), false);

  // Bob's own message from another device comes first and must not notify; alice's must.
  await bob.op('im.send', { to: 'alice', text: 'sent from my phone' });
  await alice.op('im.send', { to: 'bob', text: 'are you <b>there</b>?' });
  await tab.page.waitForFunction(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications.length > 0);
  const shown = await tab.page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications);
  assert.deepEqual(shown, [{ title: 'Message from alice', body: 'are you <b>there</b>?' }]);
  assert.deepEqual(tab.errors, []);
  await tab.context.close();
});
