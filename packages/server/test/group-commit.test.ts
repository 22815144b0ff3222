import { PodError } from '@pod/sdk';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPod, type TestPod } from './helpers/pod.ts';

describe('group commit', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('commits every good request of a batch and nothing of a failing one in it', async () => {
    const asker = await pod.user('asker');
    const others = await Promise.all(Array.from({ length: 12 }, (_, i) => pod.user(`other${i}`)));
    // Fired together, these land in the same batches: adds that succeed, accepts that fail
    // inside the transaction (no request to accept) and adds that fail (already asked).
    await asker.op('buddies.add', { name: 'other0' });
    const results = await Promise.allSettled([
      ...others.slice(1).map((other) => asker.op('buddies.add', { name: other.name })),
      ...others.slice(1, 6).map((other) => asker.op('buddies.accept', { name: other.name })),
      asker.op('buddies.add', { name: 'other0' }),
    ]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as PodError).code);
    assert.deepEqual(failures, Array(6).fill('conflict'));
    const list = await asker.op('buddies.list', {});
    assert.deepEqual(
      list.buddies.map((b) => [b.name, b.state]),
      others.map((o) => [o.name, 'outgoing']).sort(([a], [b]) => (a! < b! ? -1 : 1)),
    );
    for (const other of others) {
      const theirs = await other.op('buddies.list', {});
      assert.deepEqual(theirs.buddies.map((b) => [b.name, b.state]), [['asker', 'incoming']]);
    }
  });
});
