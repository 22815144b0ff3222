import type { PodEvent, RoomMessage } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fetchContent, refused, upload } from './helpers/files.ts';
import { nextEvent, startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

const isRoomMessage = (event: PodEvent): event is PodEvent & { type: 'room.message'; body: RoomMessage } => event.type === 'room.message';

describe('rooms: files attached to room messages', () => {
  let pod: TestPod;
  /** What `user` gets downloading file `id`: its bytes, or the HTTP status. */
  const download = async (user: TestUser, id: number) => {
    const { status, body } = await fetchContent(pod, user, `id=${id}`);
    return status === 200 ? body.toString() : status;
  };
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('lets every member, and only members, read what is attached, for as long as they are members', async () => {
    const [ann, bea, cal, dan] = await Promise.all([pod.user('ra-ann'), pod.user('ra-bea'), pod.user('ra-cal'), pod.user('ra-dan')]);
    await ann.op('rooms.create', { name: 'club', kind: 'private' });
    await ann.op('rooms.invite', { room: 'club', user: bea.name });
    await bea.op('rooms.accept', { room: 'club' });
    await upload(pod, ann, '/minutes.txt', Buffer.from('the minutes'));
    const file = (await ann.op('files.stat', { target: '/minutes.txt' })).entry;

    const beaClient = await bea.connect();
    const arrival = nextEvent(beaClient, isRoomMessage);
    const sent = await ann.op('rooms.send', { room: 'club', text: 'minutes attached', attachments: ['/minutes.txt'] });
    const expected = [{ id: file.id, owner: ann.name, name: 'minutes.txt', size: 11, type: 'text/plain', hash: file.hash! }];
    assert.deepEqual(sent.attachments, expected);
    const event = await arrival;
    assert.ok(isRoomMessage(event));
    assert.deepEqual(event.body.attachments, expected);
    assert.deepEqual((await bea.op('rooms.history', { room: 'club' })).messages.at(-1)?.attachments, expected);

    // A member reads it; an outsider learns nothing, not even that it exists.
    assert.equal(await download(bea, file.id), 'the minutes');
    const shared = await bea.op('files.shared', {});
    assert.deepEqual(shared.items.map((item) => [item.entry.id, item.access, item.via, item.room]), [[file.id, 'read', 'room', 'club']]);
    await refused(cal.op('files.stat', { target: file.id }), 'not_found');
    assert.equal(await download(cal, file.id), 404);
    assert.deepEqual((await cal.op('files.shared', {})).items, []);

    // Who joins later reads it; who leaves no longer does.
    await ann.op('rooms.invite', { room: 'club', user: dan.name });
    await dan.op('rooms.accept', { room: 'club' });
    assert.equal(await download(dan, file.id), 'the minutes');
    await bea.op('rooms.leave', { room: 'club' });
    await refused(bea.op('files.stat', { target: file.id }), 'not_found');
    assert.equal(await download(bea, file.id), 404);

    // The owner sees the grant to the room and can end it.
    assert.deepEqual((await ann.op('files.shares', { target: '/minutes.txt' })).shares.map((s) => [s.grantee, s.access]), [[{ kind: 'room', name: 'club' }, 'read']]);
    assert.deepEqual(await ann.op('files.unshare', { target: '/minutes.txt', room: 'elsewhere' }), { removed: 0 });
    assert.deepEqual(await ann.op('files.unshare', { target: '/minutes.txt', room: 'club' }), { removed: 1 });
    await refused(dan.op('files.stat', { target: file.id }), 'not_found');
  });

  it('refuses attachments that are not the sender\'s, from non-members and from the muted; nothing is granted or posted', async () => {
    const [eve, fay, gil] = await Promise.all([pod.user('ra-eve'), pod.user('ra-fay'), pod.user('ra-gil')]);
    await eve.op('rooms.create', { name: 'open-hall' });
    await fay.op('rooms.join', { room: 'open-hall' });
    await upload(pod, eve, '/eve.txt', Buffer.from('eve'));
    await upload(pod, gil, '/gil.txt', Buffer.from('gil'));
    const eves = (await eve.op('files.stat', { target: '/eve.txt' })).entry;

    await refused(fay.op('rooms.send', { room: 'open-hall', text: 'unseen', attachments: [eves.id] }), 'not_found');
    await eve.op('rooms.send', { room: 'open-hall', text: 'mine', attachments: [eves.id] });
    // Readable through the room now, yet still not fay's to pass on.
    await refused(fay.op('rooms.send', { room: 'open-hall', text: 'not mine', attachments: [eves.id] }), 'forbidden', /only its owner/);
    await refused(gil.op('rooms.send', { room: 'open-hall', text: 'outsider', attachments: ['/gil.txt'] }), 'forbidden', /not in #open-hall/);
    assert.deepEqual((await gil.op('files.shares', { target: '/gil.txt' })).shares, []);
    await eve.op('rooms.mute', { room: 'open-hall', user: fay.name });
    await upload(pod, fay, '/fay.txt', Buffer.from('fay'));
    await refused(fay.op('rooms.send', { room: 'open-hall', text: 'muted', attachments: ['/fay.txt'] }), 'forbidden', /muted/);
    assert.deepEqual((await fay.op('files.shares', { target: '/fay.txt' })).shares, []);
    await refused(eve.op('rooms.send', { room: 'open-hall', text: 'a folder', attachments: ['/'] }), 'invalid');
    await refused(eve.op('rooms.send', { room: 'open-hall', text: 'too many', attachments: Array.from({ length: 11 }, () => eves.id) }), 'too_large', /at most 10 files/);
    assert.deepEqual((await eve.op('rooms.history', { room: 'open-hall' })).messages.map((m) => m.text), ['mine']);
  });

  it('shows nothing of a deleted message\'s attachments', async () => {
    const [hal, ida] = await Promise.all([pod.user('ra-hal'), pod.user('ra-ida')]);
    await hal.op('rooms.create', { name: 'scratch' });
    await ida.op('rooms.join', { room: 'scratch' });
    await upload(pod, hal, '/draft.txt', Buffer.from('draft'));
    const sent = await hal.op('rooms.send', { room: 'scratch', text: 'oops', attachments: ['/draft.txt'] });
    await hal.op('rooms.delete', { id: sent.id });
    const [message] = (await ida.op('rooms.history', { room: 'scratch' })).messages;
    assert.equal(message?.attachments, undefined);
    assert.notEqual(message?.deletedAt, null);
  });
});
