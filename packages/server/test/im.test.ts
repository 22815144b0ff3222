import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextEvent, startTestPod, type TestPod } from './helpers/pod.ts';

describe('instant messages, embedded profile', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('delivers a message live to a connected recipient who accepts messages from anyone', async () => {
    const alice = await pod.user('alice');
    const bob = await pod.user('bob', { messagesFrom: 'anyone' });
    const bobClient = await bob.connect();
    const arrival = nextEvent(bobClient, (e) => e.type === 'im.message');
    const sent = await alice.op('im.send', { to: 'bob', text: 'hello bob' });
    const event = await arrival;
    assert.equal(event.type, 'im.message');
    assert.deepEqual(event.type === 'im.message' && { id: event.body.id, text: event.body.text, from: event.body.from }, { id: sent.id, text: 'hello bob', from: 'alice' });
  });

  it('keeps a message for an offline recipient and delivers it at the next connect, after a restart', async () => {
    const carol = await pod.user('carol');
    const dave = await pod.user('dave', { messagesFrom: 'anyone' });
    const sent = await carol.op('im.send', { to: 'dave', text: 'while you were out' });
    await pod.restart();
    const daveClient = await dave.connect();
    const history = await dave.op('im.history', { with: 'carol' });
    assert.deepEqual(history.messages.map((m) => m.id), [sent.id]);
    assert.ok(daveClient.lastSeq >= 1, 'the replayed event moved the cursor');
  });
});
