import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import { appendEvent, mailboxHead, readMailbox } from '../src/mailbox/mailbox.repo.ts';
import { isTransactionConflict } from '../src/store/conflicts.ts';
import { openStore, type Store } from '../src/store/index.ts';
import type { CoreTables } from '../src/store/schema.ts';
import { createTestDatabase, expectedStoreKind, type TestDatabase } from './helpers/profile.ts';

const USERS = [1, 2, 3, 4, 5];
// better-sqlite3 waits for SQLite's file lock synchronously, which in one process would stall
// the handle holding it: there, every worker shares one handle (other processes would wait
// on the file lock). PostgreSQL gets several handles, each with its own pool.
const HANDLES = expectedStoreKind() === 'postgres' ? 4 : 1;
const WORKERS_PER_HANDLE = 8 / HANDLES;
const TRANSACTIONS_PER_WORKER = 30;

class RolledBack extends Error {}

/**
 * Several store handles on one database, as several application-server processes would
 * have, appending to the same users' mailboxes at once: each user's seqs must come out
 * 1..n with no duplicate, and no reader may ever see seq n+1 before n is committed.
 */
describe('mailbox seqs under concurrent appends from several store handles', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pod-seq-'));
  let database: TestDatabase;
  const stores: Store[] = [];
  before(async () => {
    database = await createTestDatabase(dataDir);
    // One after another: the first creates the tables, the others find them migrated. The
    // last one only reads (on SQLite it is a second handle, but it never writes).
    for (let i = 0; i <= HANDLES; i++) stores.push(await openStore(database.url));
  });
  after(async () => {
    for (const store of stores) await store.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('assigns each user gap-free, duplicate-free seqs, visible to readers only in order', async () => {
    assert.equal(stores[0]!.kind, expectedStoreKind());
    const committed = new Map<number, number[]>(USERS.map((u) => [u, []]));
    let rolledBack = 0;
    let writing = true;
    const violations: string[] = [];

    const worker = async (store: Store, name: string) => {
      for (let t = 0; t < TRANSACTIONS_PER_WORKER; t++) {
        const recipients = USERS.filter(() => Math.random() < 0.5);
        if (recipients.length === 0) recipients.push(USERS[t % USERS.length]!);
        const abort = t % 7 === 3;
        for (;;) {
          try {
            const appended = await store.transaction(async (tx) => {
              const result = await appendEvent(tx as unknown as Transaction<CoreTables>, recipients, 'test.seq', { name, t }, new Date().toISOString());
              // Holding the heads' locks a moment longer lets the others pile up behind them.
              await pause(Math.random() < 0.5 ? 0 : 2);
              if (abort) throw new RolledBack();
              return result;
            });
            for (const { userId, event } of appended) committed.get(userId)!.push(event.seq);
          } catch (error) {
            if (isTransactionConflict(error)) continue;
            if (!(error instanceof RolledBack)) throw error;
            rolledBack++;
          }
          break;
        }
      }
    };

    const reader = async (db: Kysely<CoreTables>) => {
      let reads = 0;
      while (writing || reads === 0) {
        for (const userId of USERS) {
          const seqs = (await readMailbox(db, userId, 0, 10_000)).map((e) => e.seq);
          const expected = seqs.map((_, i) => i + 1);
          if (seqs.join() !== expected.join()) violations.push(`user ${userId} read ${seqs.join(',')}`);
        }
        reads++;
        await pause(1);
      }
      return reads;
    };

    const readerStore = stores[HANDLES]!;
    const reading = reader(readerStore.db as unknown as Kysely<CoreTables>);
    const writers = stores.slice(0, HANDLES).flatMap((store, h) => Array.from({ length: WORKERS_PER_HANDLE }, (_, w) => worker(store, `h${h}w${w}`)));
    try {
      await Promise.all(writers);
    } finally {
      writing = false;
    }
    const reads = await reading;

    assert.deepEqual(violations, [], 'a reader saw a gap or a duplicate');
    assert.ok(reads > 0 && rolledBack > 0, `reads ${reads}, rolled back ${rolledBack}`);
    const db = readerStore.db as unknown as Kysely<CoreTables>;
    for (const userId of USERS) {
      const answered = [...committed.get(userId)!].sort((a, b) => a - b);
      const expected = answered.map((_, i) => i + 1);
      assert.deepEqual(answered, expected, `user ${userId}: the seqs appendEvent answered`);
      const stored = (await readMailbox(db, userId, 0, 10_000)).map((e) => e.seq);
      assert.deepEqual(stored, expected, `user ${userId}: the stored seqs`);
      assert.equal(await mailboxHead(db, userId), expected.length, `user ${userId}: the head`);
    }
  });
});
