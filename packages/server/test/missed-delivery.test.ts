import type { PodEvent } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Transaction } from 'kysely';
import { appendEvent } from '../src/mailbox/mailbox.repo.ts';
import type { CoreTables } from '../src/store/schema.ts';
import { nextEvent, startTestPod, type TestPod } from './helpers/pod.ts';

/**
 * An event committed whose live publish never happened (the messenger down between commit and
 * publish, an application server killed in between) must still reach a device that stays
 * connected, from the store, without waiting for a reconnect or a later event.
 */
describe('a live delivery the messenger lost', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod({ missedDeliveryCheckMs: 100 });
  });
  after(() => pod.close());

  it('reaches the connected device from the mailbox, once, in order', async () => {
    const alice = await pod.user('alice', { messagesFrom: 'anyone' });
    const bob = await pod.user('bob', { messagesFrom: 'anyone' });
    const bobClient = await bob.connect();
    const received: PodEvent[] = [];
    bobClient.on('im.message', (event) => received.push(event));

    const first = nextEvent(bobClient, (e) => e.type === 'im.message');
    await alice.op('im.send', { to: 'bob', text: 'published as usual' });
    const published = await first;
    assert.equal(published.type, 'im.message');

    // Committed exactly as the im app commits, but never published: only the store knows.
    const bobId = (await pod.pod.store.db.selectFrom('users').select('id').where('name', '=', 'bob').executeTakeFirstOrThrow()).id;
    const unpublishedBody = { ...(published.body as object), id: 'm-never-published', text: 'committed, never published' };
    await pod.pod.store.transaction((tx) =>
      appendEvent(tx as unknown as Transaction<CoreTables>, [Number(bobId)], 'im.message', unpublishedBody, new Date().toISOString()),
    );
    const recovered = await nextEvent(bobClient, (e) => e.type === 'im.message' && e.body.id === 'm-never-published', 5000);
    assert.ok(recovered.seq! > published.seq!, 'after what was published before it');

    // Live delivery goes on after the recovery, without a duplicate.
    const next = nextEvent(bobClient, (e) => e.type === 'im.message' && e.body.text === 'after the recovery');
    await alice.op('im.send', { to: 'bob', text: 'after the recovery' });
    const later = await next;
    assert.ok(later.seq! > recovered.seq!);
    assert.deepEqual(
      received.map((e) => e.seq),
      [published.seq, recovered.seq, later.seq],
    );
  });
});
