import type { Kysely, Transaction } from 'kysely';
import { rowsQuery, type RowsStatement } from '../store/hot-sql.ts';
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

/** An event to append, whose mailboxes get it, and what it is about (see retractEvents). */
export interface Emit {
  userIds: readonly number[];
  type: string;
  body: unknown;
  subject?: string | undefined;
}

/** Stored events about `subject` (only those of type `ofType`, if given) become `type` with `body`. */
export interface Retraction {
  subject: string;
  ofType?: string | undefined;
  type: string;
  body: unknown;
}

const EVENTS: RowsStatement = { text: 'insert into events (type, body, created_at, subject) {rows} returning id', types: ['text', 'text', 'text', 'text'] };
const HEADS: RowsStatement = {
  text: `insert into mailbox_heads (user_id, last_seq) {rows}
         on conflict (user_id) do update set last_seq = mailbox_heads.last_seq + excluded.last_seq returning user_id, last_seq`,
  types: ['bigint', 'bigint'],
};
const MAILBOX: RowsStatement = { text: 'insert into mailbox (user_id, seq, event_id) {rows}', types: ['bigint', 'bigint', 'bigint'] };

/** Who gets what of a batch's events: each emit's recipients once, and how many events each user gets. */
export interface AppendPlan {
  recipients: number[][];
  counts: Map<number, number>;
  /** Ascending: the order in which heads are locked. */
  users: number[];
}

export function planAppend(emits: readonly Emit[]): AppendPlan {
  const recipients = emits.map((emit) => [...new Set(emit.userIds)]);
  const counts = new Map<number, number>();
  for (const users of recipients) for (const userId of users) counts.set(userId, (counts.get(userId) ?? 0) + 1);
  return { recipients, counts, users: [...counts.keys()].sort((x, y) => x - y) };
}

/** Each user's events get the seqs after the head's earlier value, in emit order. */
export function assignSeqs(plan: AppendPlan, emits: readonly Emit[], heads: ReadonlyArray<{ user_id: number; last_seq: number }>): Appended[][] {
  const nextSeq = new Map<number, number>();
  for (const head of heads) nextSeq.set(Number(head.user_id), Number(head.last_seq) - plan.counts.get(Number(head.user_id))! + 1);
  return emits.map((emit, index) =>
    plan.recipients[index]!.map((userId) => {
      const seq = nextSeq.get(userId)!;
      nextSeq.set(userId, seq + 1);
      return { userId, event: { seq, type: emit.type, body: emit.body } };
    }),
  );
}

/**
 * Appends events to users' mailboxes: each body is stored once, each mailbox gets a small row
 * pointing at it with that user's next seq, in the order given. Must run inside the transaction
 * of the effects that caused them. Three statements whatever the number of events. All heads
 * move in one upsert with users in ascending order, so transactions in several processes lock
 * the heads they share in one order and cannot deadlock on them; the row lock serialises
 * concurrent appends for one user, so seqs have neither duplicates nor gaps. Answers, per emit,
 * what each user got.
 */
export async function appendEvents(tx: Transaction<CoreTables>, emits: readonly Emit[], now: string): Promise<Appended[][]> {
  const db = tx as unknown as Kysely<never>;
  const plan = planAppend(emits);
  if (plan.users.length === 0) return emits.map(() => []);
  const inserted = await rowsQuery<{ id: number }>(db, EVENTS, emits.map((emit) => [emit.type, JSON.stringify(emit.body), now, emit.subject ?? null]));
  // One statement numbers its rows in the order given, but neither engine promises to return
  // them in that order.
  const eventIds = inserted.rows.map((row) => Number(row.id)).sort((x, y) => x - y);
  const heads = await rowsQuery<{ user_id: number; last_seq: number }>(db, HEADS, plan.users.map((userId) => [userId, plan.counts.get(userId)!]));
  const appended = assignSeqs(plan, emits, heads.rows);
  await rowsQuery(db, MAILBOX, appended.flatMap((list, index) => list.map((a) => [a.userId, a.event.seq, eventIds[index]!])));
  return appended;
}

/** Appends one event to several users' mailboxes (see appendEvents). */
export async function appendEvent(tx: Transaction<CoreTables>, userIds: readonly number[], type: string, body: unknown, now: string): Promise<Appended[]> {
  return (await appendEvents(tx, [{ userIds, type, body }], now))[0]!;
}

const RETRACT: RowsStatement = {
  text: `with r (subject, of_type, type, body) as ({rows})
         update events set type = r.type, body = r.body from r
         where events.subject = r.subject and events.type = coalesce(r.of_type, events.type)`,
  types: ['text', 'text', 'text', 'text'],
};

/**
 * Rewrites stored events in place, in one statement whatever their number: every mailbox row
 * that pointed at one now points at its replacement, so seqs keep no gaps and a device that
 * replays its mailbox later never sees what was retracted. Also rewrites `pending`, the events
 * of this transaction not stored yet (a reply sent in the batch that deletes the message it
 * quotes), before they are stored or pushed. Where two retractions cover the same events, the
 * later wins.
 */
export async function retractEvents(tx: Transaction<CoreTables>, retractions: readonly Retraction[], pending: Emit[]): Promise<void> {
  if (retractions.length === 0) return;
  const bySubject = new Map<string, Retraction[]>();
  for (const r of retractions) {
    // The statement must find one retraction at most for each stored event.
    const kept = (bySubject.get(r.subject) ?? []).filter((x) => x.ofType !== undefined && r.ofType !== undefined && x.ofType !== r.ofType);
    bySubject.set(r.subject, [...kept, r]);
  }
  pending.forEach((emit, index) => {
    const r = emit.subject === undefined ? undefined : bySubject.get(emit.subject)?.find((x) => x.ofType === undefined || x.ofType === emit.type);
    if (r) pending[index] = { ...emit, type: r.type, body: r.body };
  });
  const rows = [...bySubject.values()].flat().map((r) => [r.subject, r.ofType ?? null, r.type, JSON.stringify(r.body)]);
  await rowsQuery(tx as unknown as Kysely<never>, RETRACT, rows);
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

const CURSORS: RowsStatement = {
  text: `insert into cursors (session, user_id, acked_seq, updated_at) {rows}
         on conflict (session) do update set
           acked_seq = case when excluded.acked_seq > cursors.acked_seq then excluded.acked_seq else cursors.acked_seq end,
           updated_at = excluded.updated_at`,
  types: ['text', 'bigint', 'bigint', 'text'],
};

/**
 * A cursor only moves forward: a late or replayed ack never rewinds a device. All of a flush's
 * cursors move in one statement, sessions ascending, so gateways writing at once take the
 * rows' locks in one order.
 */
export async function saveCursors(db: Kysely<CoreTables>, cursors: ReadonlyArray<{ session: string; userId: number; seq: number }>, now: string): Promise<void> {
  if (cursors.length === 0) return;
  const sorted = [...cursors].sort((a, b) => (a.session < b.session ? -1 : a.session > b.session ? 1 : 0));
  await rowsQuery(db as unknown as Kysely<never>, CURSORS, sorted.map((cursor) => [cursor.session, cursor.userId, cursor.seq, now]));
}
