import { callOp, type ImMessage, type PodEvent } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contentOf, refused, upload } from './helpers/files.ts';
import { befriend, nextEvent, startTestPod, type TestPod } from './helpers/pod.ts';

const isMessage = (event: PodEvent): event is PodEvent & { type: 'im.message'; body: ImMessage } => event.type === 'im.message';

describe('files: sending files to buddies, and files attached to instant messages', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('sends a file in one request: the buddy gets a message carrying it through their mailbox, and may read it', async () => {
    const [amy, ben] = await Promise.all([pod.user('fs-amy'), pod.user('fs-ben')]);
    await befriend(amy, ben);
    await upload(pod, amy, '/trip/photo.jpg', Buffer.from('a photo'));
    const file = (await amy.op('files.stat', { target: '/trip/photo.jpg' })).entry;
    await refused(ben.op('files.stat', { target: file.id }), 'not_found');
    const { client, events } = await ben.connectCollecting();
    const arrival = nextEvent(client, isMessage);
    const message = await amy.op('files.send', { to: ben.name, target: '/trip/photo.jpg', text: 'from the trip' });
    assert.equal(message.text, 'from the trip');
    const expected = [{ id: file.id, owner: amy.name, name: 'photo.jpg', size: 7, type: 'image/jpeg', hash: file.hash! }];
    assert.deepEqual(message.attachments, expected);
    const event = await arrival;
    assert.ok(isMessage(event));
    assert.deepEqual(event.body.attachments, expected);
    assert.ok(event.seq !== undefined, 'a stored mailbox event, replayed like any other');
    assert.deepEqual(await contentOf(pod, ben, `~${amy.name}/trip/photo.jpg`), Buffer.from('a photo'));
    const shared = await ben.op('files.shared', {});
    assert.deepEqual(shared.items.map((item) => [item.entry.id, item.access]), [[file.id, 'read']]);
    // History carries the attachments too.
    const history = await ben.op('im.history', { with: amy.name });
    assert.deepEqual(history.messages.at(-1)?.attachments, expected);
    assert.equal(events.filter(isMessage).length, 1);
  });

  it('names the message after the file when no text is given', async () => {
    const [cid, dot] = await Promise.all([pod.user('fs-cid'), pod.user('fs-dot')]);
    await befriend(cid, dot);
    await upload(pod, cid, '/notes.md', Buffer.from('# notes'));
    const message = await cid.op('files.send', { to: dot.name, target: '/notes.md' });
    assert.equal(message.text, 'notes.md');
  });

  it('shares once and posts once when a request is retried with the same id', async () => {
    const [eli, fox] = await Promise.all([pod.user('fs-eli'), pod.user('fs-fox')]);
    await befriend(eli, fox);
    await upload(pod, eli, '/once.txt', Buffer.from('once'));
    const send = () => callOp(pod.url, eli.token, 'files.send', { to: fox.name, target: '/once.txt' }, { requestId: 'send-once-1' });
    const first = await send();
    const again = await send();
    assert.deepEqual(again, first);
    assert.equal((await fox.op('im.history', { with: eli.name })).messages.length, 1);
    assert.equal((await eli.op('files.shares', { target: '/once.txt' })).shares.length, 1);
  });

  it('attaches files to any message; the sender must own them, and a write grant is never lowered', async () => {
    const [gus, hal] = await Promise.all([pod.user('fs-gus'), pod.user('fs-hal')]);
    await befriend(gus, hal);
    await upload(pod, gus, '/a.txt', Buffer.from('a'));
    await upload(pod, gus, '/b.txt', Buffer.from('bb'));
    await gus.op('files.share', { target: '/b.txt', with: [hal.name], access: 'write' });
    const a = (await gus.op('files.stat', { target: '/a.txt' })).entry;
    const message = await gus.op('im.send', { to: hal.name, text: 'two files', attachments: [a.id, '/b.txt'] });
    assert.deepEqual(message.attachments?.map((attachment) => [attachment.name, attachment.size]), [['a.txt', 1], ['b.txt', 2]]);
    const shares = await gus.op('files.shares', { target: '/b.txt' });
    assert.deepEqual(shares.shares.map((share) => share.access), ['write']);
    // Not the sender's: refused, and nothing is posted.
    await refused(gus.op('im.send', { to: hal.name, text: 'not mine', attachments: [9_999_999] }), 'not_found');
    await refused(hal.op('im.send', { to: gus.name, text: 'yours', attachments: [a.id] }), 'forbidden', /only its owner/);
    await refused(gus.op('im.send', { to: hal.name, text: 'a folder', attachments: ['/'] }), 'invalid');
    assert.deepEqual((await hal.op('im.history', { with: gus.name })).messages.map((m) => m.text), ['two files']);
    // A message without attachments is as it always was.
    assert.equal((await gus.op('im.send', { to: hal.name, text: 'plain' })).attachments, undefined);
  });

  it('refuses sending to someone who may not be messaged, and grants them nothing', async () => {
    const [ivy, jon] = await Promise.all([pod.user('fs-ivy'), pod.user('fs-jon')]);
    await upload(pod, ivy, '/private.txt', Buffer.from('p'));
    await refused(ivy.op('files.send', { to: jon.name, target: '/private.txt' }), 'forbidden');
    await refused(ivy.op('files.send', { to: 'fs-nobody', target: '/private.txt' }), 'not_found');
    assert.deepEqual((await ivy.op('files.shares', { target: '/private.txt' })).shares, []);
  });
});
