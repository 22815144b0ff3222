import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { befriend, startTestPod, type TestPod, type TestUser } from '../../server/test/helpers/pod.ts';
import { launchChromium, openTab, screenshot, signIn, type TabUnderTest } from './browser-harness.ts';

/**
 * The buddy functions app.browser.test.ts does not reach, in Chromium against a real server
 * (embedded profile only, as app.browser.test.ts): search by profile, decline, groups, presence
 * and status text set by the other person, the profile view, and block.
 */

let pod: TestPod;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
let a: TabUnderTest;
let b: TabUnderTest;

before(async () => {
  pod = await startTestPod();
  browser = await launchChromium();
  [alice, bob, carol, dave] = await Promise.all([pod.user('alice', { messagesFrom: 'anyone' }), pod.user('bob'), pod.user('carol'), pod.user('dave')]);
  await befriend(alice, bob);
  a = await openTab(browser, pod.url);
  b = await openTab(browser, pod.url);
  await Promise.all([signIn(a.page, 'alice', alice.password), signIn(b.page, 'bob', bob.password)]);
});

after(async () => {
  await browser?.close();
  await pod?.close();
});

test('a buddy request is declined, and the asker is not on the list', async () => {
  await carol.op('buddies.add', { name: 'alice' });
  await a.page.getByRole('button', { name: 'Buddies & search' }).click();
  await a.page.getByRole('region', { name: 'Buddy requests' }).getByText('carol').waitFor();
  await a.page.getByRole('button', { name: 'Decline carol' }).click();
  await a.page.getByRole('region', { name: 'Buddy requests' }).waitFor({ state: 'detached' });
  assert.deepEqual((await alice.op('buddies.list', {})).buddies.map((entry) => entry.name), ['bob']);
  assert.deepEqual(a.errors, []);
});

test('a buddy moved into a new group is listed under it, in the buddy list and the contacts window', async () => {
  a.page.once('dialog', (dialog) => void dialog.accept('Work'));
  await a.page.getByLabel('Group of bob').selectOption({ label: 'New group…' });
  const list = a.page.getByTestId('buddy-list');
  await list.getByRole('heading', { name: 'Work', exact: true }).waitFor();
  assert.equal((await alice.op('buddies.list', {})).buddies.find((entry) => entry.name === 'bob')?.group, 'Work');
  await a.page.keyboard.press('Alt+0');
  await a.page.getByRole('complementary', { name: 'Contacts' }).getByRole('region', { name: 'Group Work' }).locator('li[data-contact="bob"]').waitFor();
  await a.page.keyboard.press('Alt+0');
  assert.deepEqual(a.errors, []);
});

test("the other person's presence and status text, set in their settings, show live; their profile opens from the list", async () => {
  await b.page.keyboard.press('Alt+4');
  const status = b.page.getByRole('region', { name: 'Status and profile' });
  await status.getByLabel('Presence').selectOption('away');
  await status.getByLabel('Status text').fill('Out for lunch');
  await status.getByLabel('About me').fill('I look after the build machines.');
  await status.getByRole('button', { name: 'Save' }).click();
  await status.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

  const bobInList = a.page.locator('li[data-buddy="bob"]');
  await bobInList.getByRole('img', { name: 'away' }).waitFor();
  await bobInList.getByText('Out for lunch').waitFor();
  await screenshot(a.page, 'buddies-01-groups-and-presence');

  await bobInList.getByRole('button', { name: 'bob', exact: true }).click();
  const profile = a.page.getByRole('region', { name: 'Profile of bob' });
  await profile.getByText('I look after the build machines.').waitFor();
  await profile.getByText('Out for lunch').waitFor();
  await profile.getByRole('img', { name: 'away' }).waitFor();
  await screenshot(a.page, 'buddies-02-profile');
  await profile.getByRole('button', { name: '← Back' }).click();
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('someone found by words from their profile is blocked from their profile, then unblocked from the list', async () => {
  await dave.op('profile.update', { about: 'Beekeeper on the third floor' });
  // Alice takes messages from anyone, so what stops dave's below is the block.
  await dave.op('im.send', { to: 'alice', text: 'before the block' });
  await a.page.getByLabel('Search by name or profile').fill('beekeeper');
  await a.page.getByRole('button', { name: 'Search', exact: true }).click();
  await a.page.locator('li[data-person="dave"]').getByRole('button', { name: /^dave/ }).click();
  const profile = a.page.getByRole('region', { name: 'Profile of dave' });
  await profile.getByText('Beekeeper on the third floor').waitFor();
  await profile.getByRole('button', { name: 'Block' }).click();
  await profile.getByRole('button', { name: 'Unblock' }).waitFor();
  assert.deepEqual((await alice.op('buddies.list', {})).blocked, ['dave']);
  await assert.rejects(dave.op('im.send', { to: 'alice', text: 'after the block' }), /accepts messages only from buddies/);

  await profile.getByRole('button', { name: '← Back' }).click();
  await a.page.getByRole('button', { name: 'Unblock dave' }).click();
  await a.page.getByRole('button', { name: 'Unblock dave' }).waitFor({ state: 'detached' });
  assert.deepEqual((await alice.op('buddies.list', {})).blocked, []);
  assert.deepEqual(a.errors, []);
});
