import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely, Transaction } from 'kysely';
import { appendEvents, readMailbox, retractEvents, type Emit } from '../src/mailbox/mailbox.repo.ts';
import { openStore, type Store } from '../src/store/index.ts';
import type { CoreTables } from '../src/store/schema.ts';
import { createTestDatabase, type TestDatabase } from './helpers/profile.ts';

/**
 * Retraction at the store: what apps reach through WriteScope.retractEvents. Events are
 * rewritten where they are, so every mailbox keeps its seqs and loses the content.
 */
describe('retracting stored events by subject', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pod-retract-'));
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await createTestDatabase(dataDir);
    store = await openStore(database.url);
  });
  after(async () => {
    await store.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const inTransaction = <R>(fn: (tx: Transaction<CoreTables>) => Promise<R>) => store.transaction((tx) => fn(tx as unknown as Transaction<CoreTables>));
  const now = () => new Date().toISOString();
  const mailbox = async (userId: number) => (await readMailbox(store.db as unknown as Kysely<CoreTables>, userId, 0, 5000)).map((e) => [e.seq, e.type, e.body]);

  it('rewrites every event about a subject in place, in every mailbox, or only those of one type; other events stay', async () => {
    await inTransaction((tx) =>
      appendEvents(
        tx,
        [
          { userIds: [1, 2], type: 'said', body: { text: 'one' }, subject: 'm:1' },
          { userIds: [1, 2], type: 'said', body: { text: 'two' }, subject: 'm:2' },
          { userIds: [2], type: 'noted', body: { text: 'one, noted' }, subject: 'm:1' },
          { userIds: [1, 2], type: 'edited', body: { text: 'two, edited' }, subject: 'm:2' },
          { userIds: [1, 2], type: 'joined', body: { who: 'ann' } },
        ],
        now(),
      ),
    );
    await inTransaction((tx) =>
      retractEvents(
        tx,
        [
          { subject: 'm:1', type: 'gone', body: { id: 1 } },
          { subject: 'm:2', ofType: 'edited', type: 'edited', body: { text: '' } },
        ],
        [],
      ),
    );
    assert.deepEqual(await mailbox(2), [
      [1, 'gone', { id: 1 }],
      [2, 'said', { text: 'two' }],
      [3, 'gone', { id: 1 }],
      [4, 'edited', { text: '' }],
      [5, 'joined', { who: 'ann' }],
    ]);
    assert.deepEqual(await mailbox(1), [
      [1, 'gone', { id: 1 }],
      [2, 'said', { text: 'two' }],
      [3, 'edited', { text: '' }],
      [4, 'joined', { who: 'ann' }],
    ]);
  });

  it('also rewrites events of the same transaction not stored yet, and a later retraction of the same events wins', async () => {
    const pending: Emit[] = [
      { userIds: [3], type: 'said', body: { text: 'sent and taken back at once' }, subject: 'm:3' },
      { userIds: [3], type: 'said', body: { text: 'kept' }, subject: 'm:4' },
    ];
    await inTransaction(async (tx) => {
      await retractEvents(
        tx,
        [
          { subject: 'm:3', ofType: 'said', type: 'said', body: { text: '' } },
          { subject: 'm:3', type: 'gone', body: { id: 3 } },
        ],
        pending,
      );
      return appendEvents(tx, pending, now());
    });
    assert.deepEqual(await mailbox(3), [
      [1, 'gone', { id: 3 }],
      [2, 'said', { text: 'kept' }],
    ]);
  });

  it('retracts a thousand subjects in one call', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => i);
    await inTransaction((tx) => appendEvents(tx, ids.map((i) => ({ userIds: [4, 5], type: 'said', body: { text: `old ${i}` }, subject: `bulk:${i}` })), now()));
    await inTransaction((tx) => retractEvents(tx, ids.map((i) => ({ subject: `bulk:${i}`, type: 'gone', body: { id: i } })), []));
    for (const userId of [4, 5]) assert.deepEqual(await mailbox(userId), ids.map((i) => [i + 1, 'gone', { id: i }]));
  });
});
