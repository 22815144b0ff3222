import { callOp, type MyRoom, type Room, type RoomMessage } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestPod, type TestPod } from '../../server/test/helpers/pod.ts';
import { readConfig } from '../src/config.ts';
import { cliUser, removeAll, stopAll, tempDir } from './helpers/cli.ts';

const listening = (line: string) => line.startsWith('listening as ');

describe('rooms through the pod command', () => {
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

  it('create, the directory, join, send, history, unread counts, and listen shows room events', async () => {
    const [ann, ben] = await Promise.all([cliUser(test, 'ann', cleanup), cliUser(test, 'ben', cleanup)]);
    assert.match(await ann.ok(['room', 'create', 'garden', '--topic', 'plants and such']), /^created public room #garden$/m);
    const directory = await ben.json<{ rooms: Room[] }>(['rooms', '--public']);
    assert.deepEqual(directory.rooms.map((r) => [r.name, r.members, r.topic]), [['garden', 1, 'plants and such']]);
    assert.match(await ben.ok(['rooms', '--public']), /^#garden\s+1 member\s+plants and such$/m);
    await ben.ok(['room', 'join', '#garden']);

    const listener = ben.spawn(['listen']);
    await listener.line('stderr', listening);
    const sent = await ann.json<RoomMessage>(['room', 'send', 'garden', 'the', 'tulips', 'are', 'up']);
    assert.equal(sent.text, 'the tulips are up');
    assert.match(await listener.line('stdout', (l) => l.includes('tulips')), /^#garden \[\d{4}-\d\d-\d\d \d\d:\d\d\] ann: the tulips are up {2}\S+$/);
    await ann.ok(['room', 'send', 'garden', 'water them', '--reply', sent.id]);
    assert.match(await listener.line('stdout', (l) => l.includes('water them')), /ann \(re ann: the tulips are up\): water them/);
    assert.equal((await listener.stop('SIGINT')).code, 0);

    const mine = await ben.json<{ rooms: MyRoom[] }>(['rooms']);
    assert.deepEqual(mine.rooms.map((r) => [r.name, r.unread]), [['garden', 2]]);
    assert.match(await ben.ok(['rooms']), /^#garden\s+2 unread/m);
    const history = (await ben.ok(['room', 'history', 'garden', '--limit', '1'])).trim().split('\n');
    assert.equal(history[0], '(older messages exist; raise --limit to see more)');
    assert.match(history[1]!, /ann \(re ann: the tulips are up\): water them/);
    await ben.ok(['room', 'read', 'garden']);
    assert.deepEqual((await ben.json<{ rooms: MyRoom[] }>(['rooms'])).rooms.map((r) => r.unread), [0]);

    // A file from this computer goes up into /Sent and along with the message; members may read it.
    const local = join(tempDir('pod-room-attach-', cleanup), 'seeds.txt');
    writeFileSync(local, 'sunflower');
    const carrying = await ann.json<RoomMessage>(['room', 'send', 'garden', 'seed list', '--attach', local]);
    const [file] = carrying.attachments ?? [];
    assert.deepEqual([file?.name, file?.size], ['seeds.txt', 9]);
    assert.match(await ben.ok(['room', 'history', 'garden', '--limit', '1']), new RegExp(`ann: seed list {2}\\S+\n {2}attached: seeds\\.txt \\(9 B\\) from ann, id ${file!.id}$`, 'm'));
    const bens = readConfig(ben.configDir);
    assert.equal((await callOp(bens.server!, bens.token!, 'files.stat', { target: file!.id })).entry.name, 'seeds.txt');
    assert.match(await ben.ok(['shared']), /read\s+via #garden\s+~ann\/Sent\/seeds\.txt/);
    assert.match(await ann.ok(['share', '/Sent/seeds.txt']), /room #garden/);
    assert.match(await ann.ok(['unshare', '/Sent/seeds.txt', '--room', '#garden']), /^ended 1 share of \/Sent\/seeds\.txt$/m);
    assert.match(await ben.ok(['shared']), /nothing is shared with you yet/);
  });

  it('private rooms, invitations, roles, topic and moderation, with clear errors for the rest', async () => {
    const [cat, dan, eve] = await Promise.all([cliUser(test, 'cat', cleanup), cliUser(test, 'dan', cleanup), cliUser(test, 'eve', cleanup)]);
    await cat.ok(['room', 'create', 'den', '--private']);
    const hidden = await dan.run(['room', 'join', 'den']);
    assert.equal(hidden.code, 1);
    assert.match(hidden.stderr, /^error not_found: no room named #den/);
    await cat.ok(['room', 'invite', 'den', 'dan']);
    await cat.ok(['room', 'invite', 'den', 'eve']);
    assert.match(await dan.ok(['rooms']), /invited to #den by cat: pod room accept den/);
    await dan.ok(['room', 'accept', 'den']);
    await eve.ok(['room', 'accept', 'den']);
    assert.match(await cat.ok(['room', 'role', 'den', 'dan', 'moderator']), /^dan is now moderator of #den$/m);
    const badRole = await cat.run(['room', 'role', 'den', 'dan', 'king']);
    assert.equal(badRole.code, 2);
    assert.match(await cat.ok(['room', 'topic', 'den', 'a', 'quiet', 'place']), /^#den: a quiet place$/m);

    const notMod = await eve.run(['room', 'kick', 'den', 'dan']);
    assert.equal(notMod.code, 1);
    assert.match(notMod.stderr, /^error forbidden: only a moderator or above of #den may kick people/);
    await dan.ok(['room', 'ban', 'den', 'eve', '--reason', 'too loud']);
    const members = await cat.json<{ members: Array<{ name: string; role: string }>; banned: Array<{ name: string; reason: string }> }>(['room', 'members', 'den']);
    assert.deepEqual(members.members.map((m) => [m.name, m.role]), [['cat', 'owner'], ['dan', 'moderator']]);
    assert.deepEqual(members.banned.map((b) => [b.name, b.reason]), [['eve', 'too loud']]);
    const banned = await eve.run(['room', 'history', 'den']);
    assert.match(banned.stderr, /^error not_found/);
    const lastOwner = await cat.run(['room', 'leave', 'den']);
    assert.match(lastOwner.stderr, /^error conflict: you are the last owner of #den/);
    assert.match(await cat.ok(['room', 'retention', 'den', '30']), /^#den keeps messages for 30 days$/m);
    await dan.ok(['room', 'send', 'den', 'for', 'the', 'record']);
    const dump = JSON.parse(await cat.ok(['room', 'export', 'den'])) as { room: Room; messages: RoomMessage[] };
    assert.deepEqual([dump.room.retentionDays, dump.messages.map((m) => m.text)], [30, ['for the record']]);
    assert.match((await dan.run(['room', 'export', 'den'])).stderr, /^error forbidden: only an owner of #den may export its history/);
  });

  it('react, edit and delete work the same on room and 1:1 messages', async () => {
    const [fay, gus] = await Promise.all([cliUser(test, 'fay', cleanup), cliUser(test, 'gus', cleanup)]);
    await gus.ok(['room', 'create', 'porch']);
    await fay.ok(['room', 'join', 'porch']);
    const said = await fay.json<RoomMessage>(['room', 'send', 'porch', 'nice', 'evening']);
    assert.match(await gus.ok(['react', '#porch', said.id, '🌅']), new RegExp(`^#porch ${said.id}: nice evening  🌅 1$`, 'm'));
    const edited = await fay.json<RoomMessage>(['edit', said.id, 'lovely', 'evening']);
    assert.deepEqual([edited.text, Boolean(edited.editedAt)], ['lovely evening', true]);
    const notYours = await gus.run(['edit', said.id, 'mine']);
    assert.match(notYours.stderr, /^error forbidden: only its author may edit a message/);
    await gus.ok(['delete', said.id]);
    assert.match(await gus.ok(['room', 'history', 'porch']), /fay: \(deleted\)/);

    const config = readConfig(gus.configDir);
    await callOp(config.server!, config.token!, 'settings.update', { messagesFrom: 'anyone' });
    const direct = await fay.json<{ id: string }>(['send', 'gus', 'see you']);
    assert.match(await gus.ok(['react', 'fay', direct.id, '👋']), /^fay -> gus \S+: see you {2}👋 1$/m);
    assert.match(await fay.ok(['edit', direct.id, 'see you soon']), /see you soon \(edited\)/);
    await fay.ok(['delete', direct.id]);
    assert.match(await gus.ok(['messages', 'fay']), /fay: \(deleted\)$/m);
    const unknown = await fay.run(['delete', 'no-such-message']);
    assert.match(unknown.stderr, /^error not_found: no message no-such-message/);
  });

  it('search --messages finds messages in rooms and 1:1 conversations, filtered by --in and --from', async () => {
    const [hal, ida] = await Promise.all([cliUser(test, 'hal', cleanup), cliUser(test, 'ida', cleanup)]);
    const config = readConfig(ida.configDir);
    await callOp(config.server!, config.token!, 'settings.update', { messagesFrom: 'anyone' });
    await hal.ok(['room', 'create', 'workshop']);
    await ida.ok(['room', 'join', 'workshop']);
    await hal.ok(['room', 'send', 'workshop', 'the', 'lathe', 'is', 'broken']);
    await ida.ok(['room', 'send', 'workshop', 'which', 'lathe?']);
    await hal.ok(['send', 'ida', 'lathe', 'parts', 'arrived']);
    const all = await ida.json<{ results: Array<{ message: { text: string } }> }>(['search', '--messages', 'lathe']);
    assert.deepEqual(all.results.map((r) => r.message.text).sort(), ['lathe parts arrived', 'the lathe is broken', 'which lathe?']);
    const inRoom = await ida.json<{ results: Array<{ message: { text: string } }> }>(['search', '--messages', 'lathe', '--in', '#workshop', '--from', 'hal']);
    assert.deepEqual(inRoom.results.map((r) => r.message.text), ['the lathe is broken']);
    assert.match(await ida.ok(['search', '--messages', 'parts', '--in', 'hal']), /^hal -> ida \[.+\] hal: lathe parts arrived {2}\S+$/m);
    assert.match(await ida.ok(['search', '--messages', 'nothing-like-it']), /no message matches/);
    assert.match(await ida.ok(['search', '--messages', 'parts', '--before', '2000-01-01']), /no message matches/);
    assert.match(await ida.ok(['search', '--messages', 'parts', '--after', '2000-01-01', '--before', '2999-12-31T00:00:00Z']), /hal: lathe parts arrived/);
    const badDay = await ida.run(['search', '--messages', 'parts', '--after', 'yesterday-ish']);
    assert.match(badDay.stderr, /expected a day \(YYYY-MM-DD\) or an ISO 8601 time/);
  });
});
