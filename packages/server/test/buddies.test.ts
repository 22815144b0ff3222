import { applyBuddyEvent, type BuddyList, type PodClient, type PodEvent } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caughtUp, signIn } from './helpers/devices.ts';
import { refuses } from './helpers/refuses.ts';
import { befriend, nextEvent, startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

/** Every event a client receives from now on. */
function record(client: PodClient): PodEvent[] {
  const events: PodEvent[] = [];
  client.on('*', (event) => events.push(event));
  return events;
}

const entryAbout = (name: string) => (event: PodEvent) => event.type === 'buddy.entry' && event.body.name === name;
const mentions = (name: string) => (event: PodEvent) => JSON.stringify(event.body).includes(`"${name}"`);

describe('buddy lists', () => {
  let pod: TestPod;
  let admin: TestUser;
  before(async () => {
    pod = await startTestPod();
    admin = await pod.user('root', { admin: true });
  });
  after(() => pod.close());

  it('shows a request as outgoing and incoming, and accepting makes both buddies, live on both sides', async () => {
    const alice = await pod.user('req-alice');
    const bob = await pod.user('req-bob');
    const [aliceClient, bobClient] = await Promise.all([alice.connect(), bob.connect()]);

    const asked = Promise.all([nextEvent(aliceClient, entryAbout('req-bob')), nextEvent(bobClient, entryAbout('req-alice'))]);
    const sent = await alice.op('buddies.add', { name: 'req-bob', group: 'Friends' });
    assert.deepEqual(sent, { name: 'req-bob', displayName: 'req-bob', group: 'Friends', state: 'outgoing' });
    const [aliceSaw, bobSaw] = await asked;
    assert.deepEqual(aliceSaw.body, { name: 'req-bob', entry: sent });
    assert.deepEqual(bobSaw.body, { name: 'req-alice', entry: { name: 'req-alice', displayName: 'req-alice', group: 'Buddies', state: 'incoming' } });

    const accepted = Promise.all([nextEvent(aliceClient, entryAbout('req-bob')), nextEvent(bobClient, entryAbout('req-alice'))]);
    const entry = await bob.op('buddies.accept', { name: 'req-alice', group: 'Work' });
    assert.deepEqual(entry, { name: 'req-alice', displayName: 'req-alice', group: 'Work', state: 'buddy' });
    const [aliceNow, bobNow] = await accepted;
    assert.deepEqual(aliceNow.body, { name: 'req-bob', entry: { name: 'req-bob', displayName: 'req-bob', group: 'Friends', state: 'buddy' } });
    assert.deepEqual(bobNow.body, { name: 'req-alice', entry });

    assert.deepEqual(await alice.op('buddies.list', {}), {
      buddies: [{ name: 'req-bob', displayName: 'req-bob', group: 'Friends', state: 'buddy' }],
      groups: ['Friends'],
      blocked: [],
    });
    assert.deepEqual(await bob.op('buddies.list', {}), { buddies: [entry], groups: ['Work'], blocked: [] });
  });

  it('treats adding someone who already asked as accepting their request', async () => {
    const carol = await pod.user('mutual-carol');
    const dave = await pod.user('mutual-dave');
    await carol.op('buddies.add', { name: 'mutual-dave' });
    const entry = await dave.op('buddies.add', { name: 'mutual-carol' });
    assert.equal(entry.state, 'buddy');
    assert.deepEqual((await carol.op('buddies.list', {})).buddies.map((b) => [b.name, b.state]), [['mutual-dave', 'buddy']]);
  });

  it('declines a request and removes a buddy from both lists, telling both sides', async () => {
    const erin = await pod.user('drop-erin');
    const frank = await pod.user('drop-frank');
    const erinClient = await erin.connect();
    await frank.op('buddies.add', { name: 'drop-erin' });
    const declined = nextEvent(erinClient, (e) => entryAbout('drop-frank')(e) && e.type === 'buddy.entry' && e.body.entry === null);
    await erin.op('buddies.decline', { name: 'drop-frank' });
    await declined;
    assert.deepEqual((await frank.op('buddies.list', {})).buddies, []);
    assert.deepEqual((await erin.op('buddies.list', {})).buddies, []);

    await befriend(frank, erin);
    const removed = nextEvent(erinClient, (e) => entryAbout('drop-frank')(e) && e.type === 'buddy.entry' && e.body.entry === null);
    await frank.op('buddies.remove', { name: 'drop-erin' });
    await removed;
    assert.deepEqual((await erin.op('buddies.list', {})).buddies, []);
    assert.deepEqual((await frank.op('buddies.list', {})).buddies, []);
  });

  it('refuses impossible requests with a code and a message that says what to do', async () => {
    const gina = await pod.user('err-gina');
    const hank = await pod.user('err-hank');
    await pod.user('err-gone');
    await admin.op('user.disable', { name: 'err-gone' });

    await refuses(gina.op('buddies.add', { name: 'err-gina' }), 'invalid', /yourself/);
    await refuses(gina.op('buddies.add', { name: 'err-nobody' }), 'not_found', /no user named err-nobody/);
    await refuses(gina.op('buddies.add', { name: 'err-gone' }), 'not_found', /no user named err-gone/);
    await refuses(gina.op('buddies.add', { name: 'Not A Name!' }), 'invalid', /name/);
    await refuses(gina.op('buddies.accept', { name: 'err-hank' }), 'conflict', /has not asked/);
    await refuses(gina.op('buddies.decline', { name: 'err-hank' }), 'conflict', /no buddy request/);
    await refuses(gina.op('buddies.remove', { name: 'err-hank' }), 'not_found', /not on your buddy list/);
    await refuses(gina.op('buddies.move', { name: 'err-hank', group: 'Work' }), 'not_found', /not on your buddy list/);
    await refuses(gina.op('buddies.renameGroup', { from: 'Work', to: 'Play' }), 'not_found', /no group named Work/);
    await refuses(gina.op('buddies.unblock', { name: 'err-hank' }), 'conflict', /not blocked/);

    await gina.op('buddies.add', { name: 'err-hank' });
    await refuses(gina.op('buddies.add', { name: 'err-hank' }), 'conflict', /already asked/);
    await refuses(hank.op('buddies.accept', { name: 'err-hank' }), 'invalid', /yourself/);
    await hank.op('buddies.accept', { name: 'err-gina' });
    await refuses(gina.op('buddies.add', { name: 'err-hank' }), 'conflict', /already your buddy/);
    await refuses(gina.op('buddies.accept', { name: 'err-hank' }), 'conflict', /already your buddy/);
    await refuses(gina.op('buddies.renameGroup', { from: 'Buddies', to: 'Buddies' }), 'invalid', /already named/);

    await gina.op('buddies.block', { name: 'err-hank' });
    await refuses(gina.op('buddies.block', { name: 'err-hank' }), 'conflict', /already blocked/);
    await refuses(gina.op('buddies.add', { name: 'err-hank' }), 'forbidden', /unblock them first/);
  });

  it('never shows the blocker a blocked user’s buddy requests, while the blocked user sees theirs as sent', async () => {
    const ivy = await pod.user('block-ivy');
    const jack = await pod.user('block-jack');
    const kim = await pod.user('block-kim');
    await befriend(ivy, jack);
    const ivyClient = await ivy.connect();
    const ivyEvents = record(ivyClient);

    const blockedSeen = nextEvent(ivyClient, (e) => e.type === 'buddy.blocked');
    await ivy.op('buddies.block', { name: 'block-jack' });
    assert.deepEqual((await blockedSeen).body, { name: 'block-jack', blocked: true });
    assert.deepEqual((await jack.op('buddies.list', {})).buddies, [], 'blocking ends the friendship on both lists');
    const eventsBeforeRequest = ivyEvents.length;

    const sent = await jack.op('buddies.add', { name: 'block-ivy' });
    assert.equal(sent.state, 'outgoing');
    assert.deepEqual((await jack.op('buddies.list', {})).buddies.map((b) => [b.name, b.state]), [['block-ivy', 'outgoing']]);
    await refuses(jack.op('buddies.add', { name: 'block-ivy' }), 'conflict', /already asked/);

    // Another user's request reaches ivy after jack's would have: ivy's mailbox is in order.
    const later = nextEvent(ivyClient, entryAbout('block-kim'));
    await kim.op('buddies.add', { name: 'block-ivy' });
    await later;
    assert.deepEqual(ivyEvents.slice(eventsBeforeRequest).filter(mentions('block-jack')), []);
    assert.deepEqual(await ivy.op('buddies.list', {}), {
      buddies: [{ name: 'block-kim', displayName: 'block-kim', group: 'Buddies', state: 'incoming' }],
      groups: ['Buddies'],
      blocked: ['block-jack'],
    });

    // Unblocked, ivy still never sees the old request; adding jack accepts it.
    await ivy.op('buddies.unblock', { name: 'block-jack' });
    assert.deepEqual((await ivy.op('buddies.list', {})).blocked, []);
    assert.equal((await ivy.op('buddies.add', { name: 'block-jack' })).state, 'buddy');
    assert.deepEqual((await jack.op('buddies.list', {})).buddies.map((b) => [b.name, b.state]), [['block-ivy', 'buddy']]);
  });

  it('never delivers a blocked user’s messages, refusing them as it refuses a stranger’s', async () => {
    const lena = await pod.user('mute-lena', { messagesFrom: 'anyone' });
    const mark = await pod.user('mute-mark');
    const nora = await pod.user('mute-nora');
    const lenaClient = await lena.connect();
    const lenaEvents = record(lenaClient);
    await lena.op('buddies.block', { name: 'mute-mark' });

    await refuses(mark.op('im.send', { to: 'mute-lena', text: 'can you hear me?' }), 'forbidden', /accepts messages only from buddies/);
    const later = nextEvent(lenaClient, (e) => e.type === 'im.message' && e.body.from === 'mute-nora');
    await nora.op('im.send', { to: 'mute-lena', text: 'hello from nora' });
    await later;
    assert.deepEqual(lenaEvents.filter((e) => e.type === 'im.message').map((e) => e.type === 'im.message' && e.body.from), ['mute-nora']);
    assert.deepEqual((await lena.op('im.history', { with: 'mute-mark' })).messages, []);
    await refuses(lena.op('im.send', { to: 'mute-mark', text: 'hi' }), 'forbidden', /unblock them/);

    await lena.op('buddies.unblock', { name: 'mute-mark' });
    const arrival = nextEvent(lenaClient, (e) => e.type === 'im.message' && e.body.from === 'mute-mark');
    await mark.op('im.send', { to: 'mute-lena', text: 'and now?' });
    assert.equal((await arrival).type, 'im.message');
  });

  it('moves a buddy between groups and renames or merges groups, with events for each row', async () => {
    const olga = await pod.user('grp-olga');
    const paul = await pod.user('grp-paul');
    const quin = await pod.user('grp-quin');
    await befriend(olga, paul);
    await befriend(olga, quin);
    assert.deepEqual((await olga.op('buddies.list', {})).groups, ['Buddies']);
    const client = await olga.connect();
    const events = record(client);

    const moved = await olga.op('buddies.move', { name: 'grp-paul', group: 'Work' });
    assert.deepEqual(moved, { name: 'grp-paul', displayName: 'grp-paul', group: 'Work', state: 'buddy' });
    const renamed = await olga.op('buddies.renameGroup', { from: 'Work', to: 'Office' });
    assert.deepEqual(renamed, { groups: ['Buddies', 'Office'] });
    const merged = await olga.op('buddies.renameGroup', { from: 'Buddies', to: 'Office' });
    assert.deepEqual(merged, { groups: ['Office'] });
    await caughtUp(pod, olga.token, client);

    assert.deepEqual(
      // Presence pushes (olga's own, a buddy's introduction) may come and go around these; only buddy events count here.
      events.filter((e) => e.type.startsWith('buddy.')).map((e) => (e.type === 'buddy.entry' ? `${e.body.name}->${e.body.entry?.group}` : e.type === 'buddy.groups' ? e.body.groups.join(',') : e.type)),
      ['grp-paul->Work', 'Buddies,Work', 'grp-paul->Office', 'Buddies,Office', 'grp-quin->Office', 'Office'],
    );
    assert.deepEqual((await olga.op('buddies.list', {})).buddies.map((b) => [b.name, b.group]), [
      ['grp-paul', 'Office'],
      ['grp-quin', 'Office'],
    ]);
  });
});

/** A device's copy of its buddy list: fetched once, then kept current by events alone. */
async function mirror(fetchList: () => Promise<BuddyList>, client: PodClient): Promise<{ readonly list: BuddyList }> {
  let list = await fetchList();
  client.on('*', (event) => {
    list = applyBuddyEvent(list, event);
  });
  return {
    get list() {
      return list;
    },
  };
}

describe('buddy list state plus events equals fresh state', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('keeps every device of every user in step through adds, accepts, moves, renames, removals, blocks and account changes', async () => {
    const admin = await pod.user('root', { admin: true });
    const [ann, ben, cat, dan, eve] = await Promise.all(['ann', 'ben', 'cat', 'dan', 'eve'].map((name) => pod.user(name)));
    const annPhone = await signIn(pod, ann!, 'phone');
    const devices = [
      { user: ann!, token: ann!.token, client: await ann!.connect() },
      { user: ann!, token: annPhone.token, client: await annPhone.connect() },
      { user: ben!, token: ben!.token, client: await ben!.connect() },
      { user: dan!, token: dan!.token, client: await dan!.connect() },
    ];
    const mirrors = await Promise.all(devices.map((d) => mirror(() => d.user.op('buddies.list', {}), d.client)));
    const inStep = async (step: string) => {
      for (const [i, device] of devices.entries()) {
        await caughtUp(pod, device.token, device.client);
        assert.deepEqual(mirrors[i]!.list, await device.user.op('buddies.list', {}), `${device.user.name}'s device ${i} after ${step}`);
      }
    };

    await ann!.op('buddies.add', { name: 'ben', group: 'Friends' });
    await ben!.op('buddies.accept', { name: 'ann' });
    await cat!.op('buddies.add', { name: 'ann' });
    await ann!.op('buddies.accept', { name: 'cat', group: 'Work' });
    await ann!.op('buddies.move', { name: 'ben', group: 'Work' });
    await ann!.op('buddies.renameGroup', { from: 'Work', to: 'Team' });
    await inStep('adds, accepts, a move and a rename');

    await dan!.op('buddies.add', { name: 'ann' });
    await ann!.op('buddies.decline', { name: 'dan' });
    await eve!.op('buddies.add', { name: 'ann' });
    await ann!.op('buddies.add', { name: 'eve' });
    await ann!.op('buddies.renameGroup', { from: 'Team', to: 'Buddies' });
    await ben!.op('profile.update', { displayName: 'Benjamin' });
    await admin.op('user.disable', { name: 'cat' });
    await inStep('a decline, a merge, a new display name and a disabled account');

    await admin.op('user.enable', { name: 'cat' });
    await ann!.op('buddies.remove', { name: 'cat' });
    await ann!.op('buddies.block', { name: 'ben' });
    await ben!.op('buddies.add', { name: 'ann' });
    await ann!.op('buddies.unblock', { name: 'ben' });
    await inStep('an enabled account, a removal, a block, a hidden request and an unblock');

    assert.deepEqual(mirrors[0]!.list, {
      buddies: [{ name: 'eve', displayName: 'eve', group: 'Buddies', state: 'buddy' }],
      groups: ['Buddies', 'Friends'],
      blocked: [],
    });
    assert.deepEqual(mirrors[2]!.list.buddies, [{ name: 'ann', displayName: 'ann', group: 'Buddies', state: 'outgoing' }]);
  });
});
