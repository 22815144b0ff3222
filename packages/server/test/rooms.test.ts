import { applyMyRoomsEvent, applyRoomHistoryEvent, applyRoomMembersEvent, applyRoomPresenceEvent, type PodEvent, type RoomMessage } from '@pod/sdk';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caughtUp, signIn } from './helpers/devices.ts';
import { nextEvent, startTestPod, type TestPod } from './helpers/pod.ts';
import { refuses } from './helpers/refuses.ts';

describe('rooms', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('creates a public room listed in the directory; anyone joins, sees members with presence, and gets messages live', async () => {
    const [alice, bob] = await Promise.all([pod.user('alice'), pod.user('bob')]);
    const created = await alice.op('rooms.create', { name: '#Lobby', topic: 'say hello' });
    assert.deepEqual([created.name, created.kind, created.role, created.members, created.topic], ['lobby', 'public', 'owner', 1, 'say hello']);
    const directory = await bob.op('rooms.directory', { query: 'HELLO' });
    assert.deepEqual(directory.rooms.map((r) => [r.name, r.members]), [['lobby', 1]]);
    const bobClient = await bob.connect();
    const joined = await bob.op('rooms.join', { room: 'lobby' });
    assert.deepEqual([joined.role, joined.members, joined.unread], ['member', 2, 0]);
    let { members } = await bob.op('rooms.members', { room: 'lobby' });
    assert.deepEqual(members.map((m) => [m.name, m.role, m.presence]), [['alice', 'owner', 'offline'], ['bob', 'member', 'online']]);
    // Not buddies, yet fellow members: alice coming online shows in bob's member list live.
    const online = nextEvent(bobClient, (e) => e.type === 'room.presence' && e.body.name === 'alice');
    await alice.connect();
    members = applyRoomPresenceEvent(members, await online);
    assert.deepEqual(members, (await bob.op('rooms.members', { room: 'lobby' })).members);

    const arrival = nextEvent(bobClient, (e) => e.type === 'room.message');
    const sent = await alice.op('rooms.send', { room: 'lobby', text: 'welcome, bob' });
    const event = await arrival;
    assert.deepEqual(event.body, sent);
    assert.deepEqual((await bob.op('rooms.list', {})).rooms.map((r) => [r.name, r.unread]), [['lobby', 1]]);
    await bob.op('rooms.leave', { room: 'lobby' });
    await refuses(bob.op('rooms.history', { room: 'lobby' }), 'forbidden', /not in #lobby/);
    assert.deepEqual((await bob.op('rooms.list', {})).rooms, []);
  });

  it('keeps a private room unknown to outsiders; invitees accept or decline', async () => {
    const [carol, dave, erin] = await Promise.all([pod.user('carol'), pod.user('dave'), pod.user('erin')]);
    await carol.op('rooms.create', { name: 'secret', kind: 'private' });
    await refuses(dave.op('rooms.join', { room: 'secret' }), 'not_found', /no room named #secret/);
    await refuses(dave.op('rooms.history', { room: 'secret' }), 'not_found');
    assert.deepEqual((await dave.op('rooms.directory', {})).rooms.filter((r) => r.name === 'secret'), []);

    const daveClient = await dave.connect();
    const invited = nextEvent(daveClient, (e) => e.type === 'room.invitation');
    await carol.op('rooms.invite', { room: 'secret', user: 'dave' });
    await carol.op('rooms.invite', { room: 'secret', user: 'erin' });
    const invitation = await invited;
    assert.ok(invitation.type === 'room.invitation');
    assert.deepEqual([invitation.body.invitation.room, invitation.body.invitation.by, invitation.body.state], ['secret', 'carol', 'pending']);
    assert.deepEqual((await dave.op('rooms.list', {})).invitations.map((i) => [i.room, i.by]), [['secret', 'carol']]);
    await refuses(dave.op('rooms.history', { room: 'secret' }), 'forbidden', /accept your invitation/);
    const accepted = await dave.op('rooms.accept', { room: 'secret' });
    assert.deepEqual([accepted.name, accepted.role, accepted.members], ['secret', 'member', 2]);
    await erin.op('rooms.decline', { room: 'secret' });
    await refuses(erin.op('rooms.accept', { room: 'secret' }), 'not_found');
    await refuses(dave.op('rooms.invite', { room: 'secret', user: 'erin' }), 'forbidden', /moderator/);
  });

  it('delivers every message to an offline member at the next connect, after a restart, once and in order', async () => {
    const [frank, gina] = await Promise.all([pod.user('frank'), pod.user('gina')]);
    await frank.op('rooms.create', { name: 'offline-room' });
    await gina.op('rooms.join', { room: 'offline-room' });
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await frank.op('rooms.send', { room: 'offline-room', text: `note ${i}` })).id);
    await pod.restart();
    const { client, events } = await gina.connectCollecting();
    await caughtUp(pod, gina.token, client);
    const received = events.filter((e) => e.type === 'room.message');
    assert.deepEqual(received.map((e) => (e.body as RoomMessage).id), sent);
    const seqs = received.map((e) => e.seq!);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.deepEqual((await gina.op('rooms.history', { room: 'offline-room' })).messages.map((m) => m.id), sent);
  });

  it('shows a joiner the history the room allows: all of it, or only since joining', async () => {
    const [hank, ivy, jack] = await Promise.all([pod.user('hank'), pod.user('ivy'), pod.user('jack')]);
    await hank.op('rooms.create', { name: 'open-book' });
    await hank.op('rooms.create', { name: 'fresh-start', history: 'joined' });
    await hank.op('rooms.send', { room: 'open-book', text: 'old news' });
    await hank.op('rooms.send', { room: 'fresh-start', text: 'before you came' });
    await ivy.op('rooms.join', { room: 'open-book' });
    await jack.op('rooms.join', { room: 'fresh-start' });
    assert.deepEqual((await ivy.op('rooms.history', { room: 'open-book' })).messages.map((m) => m.text), ['old news']);
    assert.deepEqual((await jack.op('rooms.history', { room: 'fresh-start' })).messages, []);
    await hank.op('rooms.send', { room: 'fresh-start', text: 'after' });
    assert.deepEqual((await jack.op('rooms.history', { room: 'fresh-start' })).messages.map((m) => m.text), ['after']);
  });

  it('moderates: kick, ban with a reason until lifted, mute; roles; the last owner cannot leave', async () => {
    const [kim, lee, max, ned] = await Promise.all([pod.user('kim'), pod.user('lee'), pod.user('max'), pod.user('ned')]);
    await kim.op('rooms.create', { name: 'town' });
    for (const user of [lee, max, ned]) await user.op('rooms.join', { room: 'town' });
    await refuses(lee.op('rooms.kick', { room: 'town', user: 'max' }), 'forbidden', /moderator/);
    assert.equal((await kim.op('rooms.role', { room: 'town', user: 'lee', role: 'moderator' })).role, 'moderator');
    await refuses(lee.op('rooms.kick', { room: 'town', user: 'kim' }), 'forbidden', /not below yours/);

    const maxClient = await max.connect();
    const kicked = nextEvent(maxClient, (e) => e.type === 'room.member' && e.body.change === 'kicked');
    await lee.op('rooms.kick', { room: 'town', user: 'max', reason: 'cool off' });
    assert.deepEqual((await kicked).body, { room: 'town', name: 'max', change: 'kicked', member: null, members: 3, by: 'lee', reason: 'cool off' });
    await max.op('rooms.join', { room: 'town' });

    await lee.op('rooms.ban', { room: 'town', user: 'max', reason: 'spam' });
    await refuses(max.op('rooms.join', { room: 'town' }), 'forbidden', /banned from #town: spam/);
    await refuses(max.op('rooms.history', { room: 'town' }), 'forbidden', /banned/);
    assert.deepEqual((await lee.op('rooms.members', { room: 'town' })).banned?.map((b) => [b.name, b.by, b.reason]), [['max', 'lee', 'spam']]);
    assert.equal((await ned.op('rooms.members', { room: 'town' })).banned, undefined, 'only moderators see the ban list');
    await lee.op('rooms.unban', { room: 'town', user: 'max' });
    await max.op('rooms.join', { room: 'town' });

    await lee.op('rooms.mute', { room: 'town', user: 'ned' });
    await refuses(ned.op('rooms.send', { room: 'town', text: 'hello?' }), 'forbidden', /muted/);
    await lee.op('rooms.unmute', { room: 'town', user: 'ned' });
    await ned.op('rooms.send', { room: 'town', text: 'hello!' });

    await refuses(kim.op('rooms.leave', { room: 'town' }), 'conflict', /last owner/);
    await refuses(lee.op('rooms.update', { room: 'town', topic: 'mine now' }), 'forbidden', /admin/);
    await kim.op('rooms.role', { room: 'town', user: 'ned', role: 'owner' });
    await kim.op('rooms.leave', { room: 'town' });
    assert.equal((await ned.op('rooms.update', { room: 'town', topic: 'new topic', kind: 'private' })).topic, 'new topic');
    // A private room is unknown to those who left it.
    await refuses(kim.op('rooms.join', { room: 'town' }), 'not_found');
  });

  it('replies quote, edits keep earlier text for moderators, deletes, reactions, mentions and typing', async () => {
    const [olga, pete] = await Promise.all([pod.user('olga'), pod.user('pete')]);
    await olga.op('rooms.create', { name: 'chat' });
    await pete.op('rooms.join', { room: 'chat' });
    const peteClient = await pete.connect();
    const first = await olga.op('rooms.send', { room: 'chat', text: 'lunch at noon?' });
    const mention = nextEvent(peteClient, (e) => e.type === 'room.mention');
    const reply = await olga.op('rooms.send', { room: 'chat', text: '@pete are you in?', replyTo: first.id });
    assert.deepEqual(reply.replyTo, { id: first.id, from: 'olga', text: 'lunch at noon?', deleted: false });
    assert.deepEqual(reply.mentions, ['pete']);
    assert.deepEqual((await mention).body, { room: 'chat', id: reply.id, from: 'olga', text: '@pete are you in?' });

    await refuses(pete.op('rooms.edit', { id: first.id, text: 'hijacked' }), 'forbidden', /author/);
    const edited = await olga.op('rooms.edit', { id: first.id, text: 'lunch at one?' });
    assert.ok(edited.editedAt);
    assert.equal((await pete.op('rooms.history', { room: 'chat' })).messages[1]!.replyTo!.text, 'lunch at one?');
    assert.deepEqual((await olga.op('rooms.edits', { id: first.id })).edits.map((e) => e.text), ['lunch at noon?']);
    await refuses(pete.op('rooms.edits', { id: first.id }), 'forbidden', /moderator/);

    await pete.op('rooms.react', { id: first.id, emoji: '👍' });
    await olga.op('rooms.react', { id: first.id, emoji: '👍' });
    const reacted = await olga.op('rooms.react', { id: first.id, emoji: '👍🏽' });
    assert.deepEqual(reacted.reactions, [{ emoji: '👍', count: 2, users: ['pete', 'olga'] }, { emoji: '👍🏽', count: 1, users: ['olga'] }]);
    await refuses(olga.op('rooms.react', { id: first.id, emoji: 'x' }), 'invalid', /emoji/);

    const typing = nextEvent(peteClient, (e) => e.type === 'room.typing');
    await olga.op('rooms.typing', { room: 'chat' });
    assert.deepEqual((await typing).body, { room: 'chat', name: 'olga' });
    assert.equal((await typing).seq, undefined, 'typing is transient');

    await refuses(pete.op('rooms.delete', { id: first.id }), 'forbidden', /author or a moderator/);
    await olga.op('rooms.delete', { id: first.id });
    const [gone, answer] = (await pete.op('rooms.history', { room: 'chat' })).messages;
    assert.deepEqual([gone!.text, Boolean(gone!.deletedAt), gone!.reactions, answer!.replyTo], ['', true, [], { id: first.id, from: 'olga', text: '', deleted: true }]);
    await refuses(pete.op('rooms.react', { id: first.id, emoji: '👍' }), 'conflict', /deleted/);
  });

  it('keeps read markers per room the same on every device', async () => {
    const [quinn, rose] = await Promise.all([pod.user('quinn'), pod.user('rose')]);
    await quinn.op('rooms.create', { name: 'markers' });
    await rose.op('rooms.join', { room: 'markers' });
    const messages = [];
    for (let i = 0; i < 3; i++) messages.push(await quinn.op('rooms.send', { room: 'markers', text: `m${i}` }));
    const phone = await signIn(pod, rose, 'phone');
    const phoneClient = await phone.connect();
    const moved = nextEvent(phoneClient, (e) => e.type === 'room.read');
    assert.deepEqual(await rose.op('rooms.read', { room: 'markers', order: messages[1]!.order }), { readOrder: messages[1]!.order, unread: 1 });
    assert.deepEqual((await moved).body, { room: 'markers', readOrder: messages[1]!.order, unread: 1 });
    assert.deepEqual((await phone.op('rooms.list', {})).rooms.map((r) => r.unread), [1]);
    assert.deepEqual(await rose.op('rooms.read', { room: 'markers', order: 0 }), { readOrder: messages[1]!.order, unread: 1 }, 'a marker never moves back');
    phoneClient.close();
  });

  it('keeps history, members and my rooms in sync from events: old state plus events equals fresh state', async () => {
    const [sam, tina, uma] = await Promise.all([pod.user('sam'), pod.user('tina'), pod.user('uma')]);
    await sam.op('rooms.create', { name: 'synced' });
    await tina.op('rooms.join', { room: 'synced' });
    const early = await tina.op('rooms.send', { room: 'synced', text: 'early' });
    const samClient = await sam.connect();
    let history = (await sam.op('rooms.history', { room: 'synced' })).messages;
    let members = (await sam.op('rooms.members', { room: 'synced' })).members.map(({ presence: _, ...m }) => m);
    let mine = await sam.op('rooms.list', {});
    let tinaRooms = await tina.op('rooms.list', {});
    const events: PodEvent[] = [];
    samClient.on('*', (event) => events.push(event));
    const tinaClient = await tina.connect();
    const tinaEvents: PodEvent[] = [];
    tinaClient.on('*', (event) => tinaEvents.push(event));

    const hello = await tina.op('rooms.send', { room: 'synced', text: 'hello', replyTo: early.id });
    await uma.op('rooms.join', { room: 'synced' });
    await uma.op('rooms.react', { id: hello.id, emoji: '🎉' });
    await sam.op('rooms.react', { id: hello.id, emoji: '🎉' });
    await uma.op('rooms.react', { id: hello.id, emoji: '🎉', remove: true });
    await tina.op('rooms.edit', { id: early.id, text: 'early, edited' });
    await sam.op('rooms.send', { room: 'synced', text: 'mine' });
    await uma.op('rooms.send', { room: 'synced', text: 'from uma' });
    await tina.op('rooms.delete', { id: hello.id });
    await sam.op('rooms.role', { room: 'synced', user: 'tina', role: 'admin' });
    await sam.op('rooms.update', { room: 'synced', topic: 'synced up' });
    await sam.op('rooms.kick', { room: 'synced', user: 'uma' });
    await tina.op('rooms.read', { room: 'synced', order: hello.order });
    const last = await uma.op('rooms.join', { room: 'synced' }).then(() => sam.op('rooms.send', { room: 'synced', text: 'the end' }));
    const isLast = (e: PodEvent) => e.type === 'room.message' && e.body.id === last.id;
    // The push may arrive before the answer: look at what came already before waiting.
    if (!events.some(isLast)) await nextEvent(samClient, isLast);
    if (!tinaEvents.some(isLast)) await nextEvent(tinaClient, isLast);

    for (const event of events) {
      history = applyRoomHistoryEvent(history, event, 'synced');
      members = applyRoomMembersEvent(members, event, 'synced');
      mine = applyMyRoomsEvent(mine, event, 'sam');
    }
    for (const event of tinaEvents) tinaRooms = applyMyRoomsEvent(tinaRooms, event, 'tina');
    assert.deepEqual(history, (await sam.op('rooms.history', { room: 'synced' })).messages);
    assert.deepEqual(members, (await sam.op('rooms.members', { room: 'synced' })).members.map(({ presence: _, ...m }) => m));
    assert.deepEqual(mine, await sam.op('rooms.list', {}));
    assert.deepEqual(tinaRooms, await tina.op('rooms.list', {}));
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    const [vera, walt] = await Promise.all([pod.user('vera'), pod.user('walt')]);
    await vera.op('rooms.create', { name: 'strict' });
    await vera.op('rooms.create', { name: 'elsewhere' });
    await walt.op('rooms.join', { room: 'strict' });
    const kept = await vera.op('rooms.send', { room: 'strict', text: 'the only message' });
    const other = await vera.op('rooms.send', { room: 'elsewhere', text: 'not in strict' });
    const fits = 'é'.repeat(32 * 1024);
    await refuses(walt.op('rooms.send', { room: 'strict', text: fits + 'x' }), 'too_large', /65536 bytes/);
    await refuses(walt.op('rooms.send', { room: 'strict', text: '' }), 'invalid', /not empty/);
    await refuses(walt.op('rooms.send', { room: 'strict', text: 'hi', color: 'red' } as never), 'invalid');
    await refuses(walt.op('rooms.send', { room: 'no spaces allowed', text: 'hi' }), 'invalid', /room name/);
    await refuses(walt.op('rooms.send', { room: 'strict', text: 'hi', replyTo: other.id }), 'not_found', /in #strict/);
    await refuses(walt.op('rooms.edit', { id: kept.id, text: 'mine now' }), 'forbidden', /author/);
    await refuses(walt.op('rooms.delete', { id: kept.id }), 'forbidden');
    // A message of a room one is not in does not exist for one.
    await refuses(walt.op('rooms.react', { id: other.id, emoji: '👍' }), 'not_found');
    await refuses(walt.op('rooms.kick', { room: 'strict', user: 'vera' }), 'forbidden', /moderator/);
    await refuses(walt.op('rooms.update', { room: 'strict', topic: 'walt was here' }), 'forbidden');
    await refuses(vera.op('rooms.update', { room: 'strict', topic: 'x'.repeat(501) }), 'too_large', /500 characters/);
    await refuses(vera.op('rooms.role', { room: 'strict', user: 'walt', role: 'king' as never }), 'invalid');
    await refuses(vera.op('rooms.create', { name: 'strict' }), 'conflict', /taken/);
    await refuses(vera.op('rooms.invite', { room: 'strict', user: 'nobody-at-all' }), 'not_found', /no user/);
    const { messages } = await walt.op('rooms.history', { room: 'strict' });
    assert.deepEqual(messages, [kept]);
    const [room] = (await vera.op('rooms.list', {})).rooms.filter((r) => r.name === 'strict');
    assert.deepEqual([room!.topic, room!.members, room!.role], ['', 2, 'owner']);
  });
});
