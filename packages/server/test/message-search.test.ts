import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPod, type TestPod } from './helpers/pod.ts';
import { refuses } from './helpers/refuses.ts';

describe('message search, rooms and 1:1', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('finds every word of the query in messages one can read, best first, with filters and pages', async () => {
    const [ada, bea, cal] = await Promise.all([pod.user('ada', { messagesFrom: 'anyone' }), pod.user('bea', { messagesFrom: 'anyone' }), pod.user('cal', { messagesFrom: 'anyone' })]);
    await ada.op('rooms.create', { name: 'kitchen' });
    await ada.op('rooms.create', { name: 'vault', kind: 'private' });
    await bea.op('rooms.join', { room: 'kitchen' });
    const soup = await bea.op('rooms.send', { room: 'kitchen', text: 'The tomato soup needs more tomato' });
    await ada.op('rooms.send', { room: 'kitchen', text: 'tomato salad tonight' });
    await ada.op('rooms.send', { room: 'kitchen', text: 'Soup is served' });
    await ada.op('rooms.send', { room: 'vault', text: 'secret tomato recipe' });
    const direct = await ada.op('im.send', { to: 'bea', text: 'bring a tomato, please' });
    await ada.op('im.send', { to: 'cal', text: 'cal gets a tomato too' });

    const hits = await bea.op('rooms.search', { query: 'TOMATO' });
    assert.deepEqual(hits.results.map((r) => r.message.text), ['The tomato soup needs more tomato', 'tomato salad tonight'], 'ranked: more matches first; never a private room one is not in');
    assert.ok(hits.results[0]!.score >= hits.results[1]!.score);
    assert.deepEqual((await bea.op('rooms.search', { query: 'tomato soup' })).results.map((r) => r.message.id), [soup.id], 'every word must appear');
    assert.deepEqual((await bea.op('rooms.search', { query: 'tomato', from: 'ada' })).results.map((r) => r.message.text), ['tomato salad tonight']);
    assert.deepEqual((await ada.op('rooms.search', { query: 'tomato', in: '#vault' })).results.map((r) => r.message.room), ['vault']);
    assert.deepEqual((await bea.op('rooms.search', { query: 'tomato', before: soup.at })).results, []);
    assert.equal((await bea.op('rooms.search', { query: 'tomato', after: soup.at })).results.length, 2);
    const first = await bea.op('rooms.search', { query: 'tomato', limit: 1 });
    const second = await bea.op('rooms.search', { query: 'tomato', limit: 1, offset: first.next! });
    assert.deepEqual([first.next, second.next, second.results[0]!.message.text], [1, null, 'tomato salad tonight']);

    assert.deepEqual((await bea.op('im.search', { query: 'tomato' })).results.map((r) => r.message.id), [direct.id], 'only my own conversations');
    assert.deepEqual((await cal.op('im.search', { query: 'tomato', in: 'ada' })).results.map((r) => r.message.text), ['cal gets a tomato too']);
    assert.deepEqual((await bea.op('rooms.search', { query: '"*" AND NEAR(' })).results, [], 'query syntax is plain words, never an error');
    await refuses(bea.op('rooms.search', { query: '' }), 'invalid');
  });

  it('follows edits and deletes, and finds nothing in a room one left, was kicked from or banned from', async () => {
    const [dot, eve, fox] = await Promise.all([pod.user('dot'), pod.user('eve'), pod.user('fox')]);
    await dot.op('rooms.create', { name: 'lounge' });
    await eve.op('rooms.join', { room: 'lounge' });
    await fox.op('rooms.join', { room: 'lounge' });
    const message = await dot.op('rooms.send', { room: 'lounge', text: 'meet at the harbour' });
    await dot.op('rooms.edit', { id: message.id, text: 'meet at the lighthouse' });
    assert.deepEqual((await eve.op('rooms.search', { query: 'harbour' })).results, []);
    assert.deepEqual((await eve.op('rooms.search', { query: 'lighthouse' })).results.map((r) => r.message.id), [message.id]);
    await dot.op('rooms.kick', { room: 'lounge', user: 'eve' });
    await dot.op('rooms.ban', { room: 'lounge', user: 'fox' });
    assert.deepEqual((await eve.op('rooms.search', { query: 'lighthouse' })).results, []);
    assert.deepEqual((await fox.op('rooms.search', { query: 'lighthouse' })).results, []);
    await dot.op('rooms.delete', { id: message.id });
    assert.deepEqual((await dot.op('rooms.search', { query: 'lighthouse' })).results, []);
  });
});
