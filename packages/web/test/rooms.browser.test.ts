import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { befriend, startTestPod, type TestPod, type TestUser } from '../../server/test/helpers/pod.ts';
import { launchChromium, openTab, screenshot, signIn, type TabUnderTest } from './browser-harness.ts';

/** Rooms and the conversation features in Chromium against a real server (embedded profile only, as app.browser.test.ts). */

let pod: TestPod;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let a: TabUnderTest;
let b: TabUnderTest;

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

test('a room is made in the dialog, found in the directory and joined; an invitation is accepted', async () => {
  await a.page.getByRole('button', { name: 'New room' }).click();
  const dialog = a.page.getByRole('dialog', { name: 'New room' });
  await dialog.getByLabel('Name').fill('lounge');
  await dialog.getByLabel('Topic').fill('Tea and talk');
  await dialog.getByRole('button', { name: 'Create room' }).click();
  await a.page.getByRole('region', { name: 'Room #lounge' }).getByText('you are owner').waitFor();

  await b.page.getByRole('button', { name: 'Room directory' }).click();
  await b.page.getByLabel('Find rooms by name or topic').fill('tea');
  await screenshot(b.page, 'rooms-01-directory');
  await b.page.getByRole('button', { name: 'Join #lounge' }).click();
  await b.page.getByRole('region', { name: 'Room #lounge' }).getByText('you are member').waitFor();
  await a.page.locator('[data-member="bob"]').waitFor();

  // A private room's invitation arrives live and is answered from the room list.
  await alice.op('rooms.create', { name: 'backstage', kind: 'private' });
  await alice.op('rooms.invite', { room: 'backstage', user: 'bob' });
  await b.page.getByRole('button', { name: 'Accept the invitation to #backstage' }).click();
  await b.page.getByRole('region', { name: 'Room #backstage' }).getByText('you are member').waitFor();
  await b.page.getByRole('button', { name: 'Accept the invitation to #backstage' }).waitFor({ state: 'detached' });
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('two people in a room reply, react, edit and see each other typing', async () => {
  await a.page.goto('/rooms/lounge');
  await b.page.getByRole('button', { name: 'Room #lounge' }).click();
  await bob.op('rooms.send', { room: 'lounge', text: 'Anyone for tea?' });
  const question = a.page.getByTestId('message').filter({ hasText: 'Anyone for tea?' });
  await question.waitFor();

  // Alice answers it, naming Bob from the completion list; Bob sees her typing first.
  await question.getByRole('button', { name: /^Reply to bob/ }).click();
  await a.page.getByText('Replying to bob').waitFor();
  const composer = a.page.getByLabel('Message to #lounge');
  await composer.pressSequentially('@b');
  await a.page.getByRole('option', { name: '@bob' }).waitFor();
  await composer.press('Enter');
  await composer.pressSequentially('yes please');
  assert.equal(await composer.inputValue(), '@bob yes please');
  await b.page.getByText('alice is typing…').waitFor();
  await composer.press('Enter');
  const answer = b.page.getByTestId('message').filter({ hasText: 'yes please' });
  await answer.getByLabel('In reply to bob').getByText('Anyone for tea?').waitFor();
  await answer.locator('mark.mention.me', { hasText: '@bob' }).waitFor();
  await b.page.getByText('alice is typing…').waitFor({ state: 'detached' });

  // Bob reacts from the quick choices and with an emoji of his own; Alice sees who reacted.
  await answer.getByRole('button', { name: /^React to alice/ }).click();
  await answer.getByRole('button', { name: 'React 👍' }).click();
  await answer.getByRole('button', { name: /^React to alice/ }).click();
  await answer.getByLabel('Any emoji').fill('🦄');
  await answer.getByRole('button', { name: 'React', exact: true }).click();
  const mine = a.page.getByTestId('message').filter({ hasText: 'yes please' });
  const thumbs = mine.getByRole('button', { name: '👍 1: bob' });
  await thumbs.waitFor();
  await mine.getByRole('button', { name: '🦄 1: bob' }).waitFor();
  await thumbs.focus();
  await mine.locator('.reaction .who', { hasText: 'bob' }).first().waitFor({ state: 'visible' });
  await thumbs.click();
  await answer.getByRole('button', { name: '👍 2: bob, alice' }).waitFor();

  // Alice corrects herself; Bob sees the new text marked edited. Bob types back.
  await mine.getByRole('button', { name: /^Edit:/ }).click();
  await a.page.getByText('Editing your message').waitFor();
  await composer.fill('@bob yes please, with milk');
  await composer.press('Enter');
  await b.page.getByTestId('message').filter({ hasText: 'with milk' }).getByText('edited').waitFor();
  await b.page.getByLabel('Message to #lounge').pressSequentially('Coming');
  await a.page.getByText('bob is typing…').waitFor();
  await b.page.getByLabel('Message to #lounge').press('Enter');
  await a.page.getByTestId('message').filter({ hasText: 'Coming' }).waitFor();

  // Bob takes his question back: the reply's quote says so.
  await b.page.getByTestId('message').filter({ hasText: 'Anyone for tea?' }).first().getByRole('button', { name: /^Delete:/ }).click();
  await b.page.getByRole('button', { name: 'Delete for everyone' }).click();
  await mine.getByLabel('In reply to bob').getByText('deleted message').waitFor();
  await a.page.getByText('This message was deleted').waitFor();
  await screenshot(a.page, 'rooms-02-room');
  await screenshot(b.page, 'rooms-03-room-member');
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test("a file attached in a room reaches every member, who download it", async () => {
  await a.page.goto('/rooms/lounge');
  await b.page.goto('/rooms/lounge');
  const agenda = Buffer.from('1. tea\n2. biscuits\n');
  await a.page.getByLabel('Attach files for #lounge').setInputFiles({ name: 'agenda.txt', mimeType: 'text/plain', buffer: agenda });
  const link = b.page.getByTestId('message').getByRole('link', { name: /^Download agenda\.txt/ });
  await link.waitFor();
  const downloading = b.page.waitForEvent('download');
  await link.click();
  assert.deepEqual(await readFile((await (await downloading).path())!), agenda);
  await screenshot(b.page, 'rooms-03b-attachment');
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('a 1:1 conversation has replies, reactions, edits and typing too', async () => {
  await bob.op('im.send', { to: 'alice', text: 'Lunch today?' });
  await a.page.goto('/messages/bob');
  const lunch = a.page.getByTestId('message').filter({ hasText: 'Lunch today?' });
  await lunch.getByRole('button', { name: /^Reply to bob/ }).click();
  await a.page.getByLabel('Message to bob').pressSequentially('At noon');
  await b.page.goto('/messages/alice');
  await a.page.getByLabel('Message to bob').press('Enter');
  const reply = b.page.getByTestId('message').filter({ hasText: 'At noon' });
  await reply.getByLabel('In reply to bob').getByText('Lunch today?').waitFor();
  await reply.getByRole('button', { name: /^React to alice/ }).click();
  await reply.getByRole('button', { name: 'React 🎉' }).click();
  await a.page.getByTestId('message').filter({ hasText: 'At noon' }).getByRole('button', { name: '🎉 1: bob' }).waitFor();
  // ArrowUp in the empty field edits my last message.
  await a.page.getByLabel('Message to bob').press('ArrowUp');
  await a.page.getByLabel('Message to bob').fill('At one');
  await a.page.getByLabel('Message to bob').press('Enter');
  await b.page.getByTestId('message').filter({ hasText: 'At one' }).getByText('edited').waitFor();
  await b.page.getByLabel('Message to alice').pressSequentially('ok');
  await a.page.getByText('bob is typing…').waitFor();
  await screenshot(a.page, 'rooms-04-conversation-features');
  await b.page.getByLabel('Message to alice').fill('');
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('the owner sets what newcomers see and how long messages are kept, reads earlier texts and exports the room', async () => {
  await a.page.goto('/rooms/lounge');
  await b.page.goto('/rooms/lounge');
  // Alice owns the room, so she may read what her edited message said before; Bob, a member, may not.
  const milk = a.page.getByTestId('message').filter({ hasText: 'with milk' });
  await milk.getByRole('button', { name: /^Earlier texts of/ }).click();
  await milk.getByRole('list', { name: 'Earlier texts' }).getByText('@bob yes please', { exact: true }).waitFor();
  await b.page.getByTestId('message').filter({ hasText: 'with milk' }).waitFor();
  assert.equal(await b.page.getByRole('button', { name: /^Earlier texts of/ }).count(), 0);
  assert.equal(await b.page.getByText('Room settings').count(), 0);

  await a.page.getByText('Room settings').click();
  const settings = a.page.locator('.room-settings');
  await settings.getByLabel('Newcomers see').selectOption('joined');
  await settings.getByLabel('Keep messages for some days').check();
  await settings.getByLabel('Days messages are kept').fill('7');
  await screenshot(a.page, 'rooms-05-settings');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  // Every member sees the room's new settings live.
  await b.page.getByText('newcomers see only what follows their joining · messages kept 7 days').waitFor();

  await a.page.getByText('Room settings').click();
  const download = a.page.waitForEvent('download');
  await settings.getByRole('button', { name: 'Export the history (JSON)' }).click();
  const file = await download;
  const dump = JSON.parse(await readFile((await file.path())!, 'utf8')) as { room: { name: string; retentionDays: number }; members: Array<{ name: string }>; messages: Array<{ text: string }> };
  assert.equal(dump.room.name, 'lounge');
  assert.equal(dump.room.retentionDays, 7);
  assert.deepEqual(dump.members.map((m) => m.name).sort(), ['alice', 'bob']);
  assert.ok(dump.messages.some((m) => m.text === '@bob yes please, with milk'));
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test("a moderator kicks someone, who then no longer gets the room's new messages", async () => {
  await a.page.goto('/rooms/lounge');
  await b.page.goto('/rooms/lounge');
  // A member is offered no moderation; the owner is.
  await b.page.locator('[data-member="alice"]').waitFor();
  assert.equal(await b.page.getByLabel('Moderate alice').count(), 0);
  await a.page.getByLabel('Moderate bob').click();
  await a.page.getByRole('complementary', { name: 'Members' }).getByLabel('Reason (optional)').fill('too much tea');
  await screenshot(a.page, 'rooms-06-moderation');
  await a.page.getByRole('button', { name: 'Kick bob' }).click();
  await b.page.getByRole('alert').getByText('You were removed by alice: too much tea').waitFor();
  await b.page.getByRole('button', { name: /^Room #lounge/ }).waitFor({ state: 'detached' });
  await a.page.locator('[data-member="bob"]').waitFor({ state: 'detached' });

  await a.page.getByLabel('Message to #lounge').fill('said after the kick');
  await a.page.getByLabel('Message to #lounge').press('Enter');
  await a.page.getByTestId('message').filter({ hasText: 'said after the kick' }).waitFor();
  // Bob's mailbox is in order: once this later message has reached him, the room's would have too.
  await alice.op('im.send', { to: 'bob', text: 'no hard feelings' });
  await b.page.getByRole('button', { name: /^Conversation with alice, 1 unread/ }).waitFor();
  assert.equal(await b.page.getByTestId('message').filter({ hasText: 'said after the kick' }).count(), 0);
  await assert.rejects(bob.op('rooms.history', { room: 'lounge' }), /not in #lounge/);
  await screenshot(b.page, 'rooms-07-kicked');
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});
