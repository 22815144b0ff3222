import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callOp, type ImMessage } from '@pod/sdk/node';
import { startTestPod, type TestPod } from '../../server/test/helpers/pod.ts';
import { readConfig } from '../src/config.ts';
import { cliUser, stopAll, removeAll, type CliUser } from './helpers/cli.ts';

const acceptFromAnyone = (user: CliUser) => callOp(readConfig(user.configDir).server!, readConfig(user.configDir).token!, 'settings.update', { messagesFrom: 'anyone' });
const listening = (line: string) => line.startsWith('listening as ');

describe('messages, buddies, presence and search through the pod command', () => {
  const cleanup: string[] = [];
  let test: TestPod;
  before(async () => {
    test = await startTestPod();
  });
  after(async () => {
    await stopAll();
    await test.close();
    await removeAll(cleanup);
  });

  it('send, then messages lists the conversation oldest first, as text and as JSON', async () => {
    const [alice, bob] = await Promise.all([cliUser(test, 'alice', cleanup), cliUser(test, 'bob', cleanup)]);
    await Promise.all([acceptFromAnyone(alice), acceptFromAnyone(bob)]);
    assert.match(await alice.ok(['send', 'bob', 'first']), /^sent to bob at \d{4}-\d\d-\d\d \d\d:\d\d$/m);
    const sent = await alice.json<ImMessage>(['send', 'bob', 'second', 'message']);
    assert.deepEqual([sent.from, sent.to, sent.text], ['alice', 'bob', 'second message']);
    await bob.ok(['send', 'alice', 'third, from bob']);

    const page = await bob.json<{ messages: ImMessage[]; more: boolean }>(['messages', 'alice']);
    assert.deepEqual(page.messages.map((m) => [m.from, m.text]), [['alice', 'first'], ['alice', 'second message'], ['bob', 'third, from bob']]);
    assert.equal(page.more, false);
    assert.deepEqual(Object.keys(page.messages[0]!).sort(), ['at', 'deliveredAt', 'from', 'id', 'order', 'readAt', 'text', 'to']);
    assert.ok(page.messages[0]!.order < page.messages[2]!.order);

    const text = (await alice.ok(['messages', 'bob'])).trim().split('\n');
    assert.equal(text.length, 3);
    assert.match(text[0]!, /^\[\d{4}-\d\d-\d\d \d\d:\d\d\] alice: first$/);
    assert.match(text[2]!, /\] bob: third, from bob$/);

    const last = await alice.json<{ messages: ImMessage[]; more: boolean }>(['messages', 'bob', '--limit', '2']);
    assert.deepEqual(last.messages.map((m) => m.text), ['second message', 'third, from bob']);
    assert.equal(last.more, true);

    const refused = await alice.run(['send', 'nobody-here', 'hello']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error not_found: /);
  });

  it('listen prints an event as it arrives, one line for people or one JSON object per line, and stops on SIGINT', async () => {
    const [carol, dave] = await Promise.all([cliUser(test, 'carol', cleanup), cliUser(test, 'dave', cleanup)]);
    await acceptFromAnyone(carol);
    const listener = carol.spawn(['listen']);
    await listener.line('stderr', listening);
    await dave.ok(['send', 'carol', 'are you there?']);
    // Other events (such as carol's own presence going online) may come first.
    assert.match(await listener.line('stdout', (l) => l.includes('dave:')), /^\[\d{4}-\d\d-\d\d \d\d:\d\d\] dave: are you there\?$/);
    const stopped = await listener.stop('SIGINT');
    assert.equal(stopped.code, 0, stopped.stderr);

    const jsonListener = carol.spawn(['listen', '--json']);
    await jsonListener.line('stderr', listening);
    await dave.ok(['send', 'carol', 'still there?']);
    const event = JSON.parse(await jsonListener.line('stdout', (l) => l.includes('"im.message"'))) as { seq: number; type: string; body: ImMessage };
    assert.equal(event.type, 'im.message');
    assert.equal(typeof event.seq, 'number');
    assert.deepEqual([event.body.from, event.body.text], ['dave', 'still there?']);
    assert.equal((await jsonListener.stop('SIGTERM')).code, 0);

    // --resume first replays what arrived since this login's last listen stopped.
    await dave.ok(['send', 'carol', 'while you were away']);
    const resumed = carol.spawn(['listen', '--resume', '--json']);
    const replayed = JSON.parse(await resumed.line('stdout', (l) => l.includes('while you were away'))) as { type: string };
    assert.equal(replayed.type, 'im.message');
    assert.equal((await resumed.stop('SIGINT')).code, 0);
  });

  it('buddies add, accept and the list with presence', async () => {
    const [erin, frank] = await Promise.all([cliUser(test, 'erin', cleanup), cliUser(test, 'frank', cleanup)]);
    const asked = await erin.json<{ name: string; state: string; group: string }>(['buddies', 'add', 'frank', '--group', 'Friends']);
    assert.deepEqual([asked.name, asked.state, asked.group], ['frank', 'outgoing', 'Friends']);
    assert.match(await frank.ok(['buddies']), /Requests to you\n {2}erin: pod buddies accept erin/);
    assert.match(await frank.ok(['buddies', 'accept', 'erin']), /erin is now your buddy/);

    const listener = frank.spawn(['listen']);
    await listener.line('stderr', listening);
    const list = await erin.json<{ buddies: Array<{ name: string; state: string; group: string; presence: { status: string; text: string } | null }>; blocked: string[] }>(['buddies']);
    const row = list.buddies.find((b) => b.name === 'frank');
    assert.deepEqual(row && [row.state, row.group, row.presence?.status], ['buddy', 'Friends', 'online']);
    assert.match(await erin.ok(['buddies']), /^Friends\n {2}frank\s+online/m);
    await listener.stop();
  });

  it('presence set and show, seen by a buddy', async () => {
    const [gina, hank] = await Promise.all([cliUser(test, 'gina', cleanup), cliUser(test, 'hank', cleanup)]);
    await gina.ok(['buddies', 'add', 'hank']);
    await hank.ok(['buddies', 'accept', 'gina']);
    const device = gina.spawn(['listen']);
    await device.line('stderr', listening);

    assert.equal((await gina.ok(['presence', 'away', '--text', 'at lunch'])).trim(), 'gina is away: at lunch');
    assert.deepEqual(await gina.json(['presence']), { name: 'gina', status: 'away', text: 'at lunch' });
    assert.equal((await gina.ok(['presence'])).trim(), 'gina is away: at lunch');
    const seen = await hank.json<{ buddies: Array<{ name: string; presence: unknown }> }>(['buddies']);
    assert.deepEqual(seen.buddies.find((b) => b.name === 'gina')?.presence, { status: 'away', text: 'at lunch' });

    const bad = await gina.run(['presence', 'sleepy']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error invalid: a status is online, away, busy or offline/);
    await device.stop();
  });

  it('profile shows and changes; search finds people by their profile', async () => {
    const [ivy, jack] = await Promise.all([cliUser(test, 'ivy', cleanup), cliUser(test, 'jack', cleanup)]);
    const updated = await ivy.json<{ name: string; displayName: string; about: string }>(['profile', '--display-name', 'Ivy Green', '--about', 'grows up walls']);
    assert.deepEqual([updated.name, updated.displayName, updated.about], ['ivy', 'Ivy Green', 'grows up walls']);
    assert.match(await ivy.ok(['profile']), /^display name\s+Ivy Green$/m);
    assert.match(await jack.ok(['profile', 'ivy']), /^about\s+grows up walls$/m);

    const found = await jack.json<{ users: Array<{ name: string; displayName: string }> }>(['search', 'WALLS']);
    assert.deepEqual(found.users.map((u) => [u.name, u.displayName]), [['ivy', 'Ivy Green']]);
    assert.match(await jack.ok(['search', 'ivy']), /^ivy\s+Ivy Green/m);
    assert.match(await jack.ok(['search', 'no-such-person-anywhere']), /nobody matches/);
  });
});
