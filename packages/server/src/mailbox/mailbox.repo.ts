import { sql, type Kysely, type Transaction } from 'kysely';
import { hotQuery, placeholderRows } from '../store/hot-sql.ts';
import type { CoreTables } from '../store/schema.ts';

export interface StoredEvent {
  seq: number;
  type: string;
  body: unknown;
}

export interface Appended {
  userId: number;
  event: StoredEvent;
}

/**
 * Appends one event to several users' mailboxes: the body is stored once, each mailbox gets
 * a small row pointing at it with that user's next seq. Must run inside the transaction of
 * the effects that caused it; the upsert on mailbox_heads serialises concurrent appends for
 * one user, so seqs have neither duplicates nor gaps.
 */
export async function appendEvent(tx: Transaction<CoreTables>, userIds: readonly number[], type: string, body: unknown, now: string): Promise<Appended[]> {
  // Ascending, so that on PostgreSQL two transactions lock the heads they share in one order.
  const recipients = [...new Set(userIds)].sort((a, b) => a - b);
  if (recipients.length === 0) return [];
  const db = tx as unknown as Kysely<never>;
  const inserted = await hotQuery<{ id: number }>(db, 'insert into events (type, body, created_at) values (?, ?, ?) returning id', [type, JSON.stringify(body), now]);
  const eventId = Number(inserted.rows[0]!.id);
  const heads = await hotQuery<{ user_id: number; last_seq: number }>(
    db,
    `insert into mailbox_heads (user_id, last_seq) values ${placeholderRows(recipients.length, 2)}
     on conflict (user_id) do update set last_seq = mailbox_heads.last_seq + 1 returning user_id, last_seq`,
    recipients.flatMap((userId) => [userId, 1]),
  );
  const appended = heads.rows.map((head) => ({ userId: Number(head.user_id), event: { seq: Number(head.last_seq), type, body } }));
  await hotQuery(
    db,
    `insert into mailbox (user_id, seq, event_id) values ${placeholderRows(appended.length, 3)}`,
    appended.flatMap((a) => [a.userId, a.event.seq, eventId]),
  );
  return appended;
}

export async function readMailbox(db: Kysely<CoreTables>, userId: number, after: number, limit: number): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('mailbox')
    .innerJoin('events', 'events.id', 'mailbox.event_id')
    .select(['mailbox.seq', 'events.type', 'events.body'])
    .where('mailbox.user_id', '=', userId)
    .where('mailbox.seq', '>', after)
    .orderBy('mailbox.seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ seq: Number(row.seq), type: row.type, body: JSON.parse(row.body) }));
}

export async function mailboxHead(db: Kysely<CoreTables>, userId: number): Promise<number> {
  const row = await db.selectFrom('mailbox_heads').select('last_seq').where('user_id', '=', userId).executeTakeFirst();
  return row ? Number(row.last_seq) : 0;
}

/** The heads of many users' mailboxes at once; a user with no mailbox yet is absent. */
export async function mailboxHeads(db: Kysely<CoreTables>, userIds: readonly number[]): Promise<Map<number, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('mailbox_heads').select(['user_id', 'last_seq']).where('user_id', 'in', userIds).execute();
  return new Map(rows.map((row) => [Number(row.user_id), Number(row.last_seq)]));
}

export async function readCursor(db: Kysely<CoreTables>, session: string): Promise<number | undefined> {
  const row = await db.selectFrom('cursors').select('acked_seq').where('session', '=', session).executeTakeFirst();
  return row ? Number(row.acked_seq) : undefined;
}

/** A cursor only moves forward: a late or replayed ack never rewinds a device. */
export async function saveCursors(db: Kysely<CoreTables>, cursors: ReadonlyArray<{ session: string; userId: number; seq: number }>, now: string): Promise<void> {
  if (cursors.length === 0) return;
  await db.transaction().execute(async (tx) => {
    for (const cursor of cursors) {
      await tx
        .insertInto('cursors')
        .values({ session: cursor.session, user_id: cursor.userId, acked_seq: cursor.seq, updated_at: now })
        .onConflict((oc) =>
          oc.column('session').doUpdateSet({ acked_seq: sql`case when excluded.acked_seq > cursors.acked_seq then excluded.acked_seq else cursors.acked_seq end`, updated_at: now }),
        )
        .execute();
    }
  });
}
