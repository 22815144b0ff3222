import type { Kysely, Transaction } from 'kysely';
import { appendEvents, assignSeqs, planAppend, type Appended, type Emit } from '../mailbox/mailbox.repo.ts';
import { isPostgres, preparedQuery } from '../store/hot-sql.ts';
import type { CoreTables } from '../store/schema.ts';
import { recordAnswers, type RequestRecord } from './requests.repo.ts';

/**
 * The end of a batch on PostgreSQL, in one statement: the answers recorded (a conflict means an
 * id was answered before), the events stored, the heads moved (users ascending, see
 * appendEvents) and the mailbox rows written, each row's seq computed from its user's new head.
 * One round trip instead of four: with two application servers most batches are small, and
 * round trips, not rows, are what they cost.
 */
const POSTGRES_BATCH_END = `
with recorded as (
  insert into requests (user_id, id, op, answer, created_at)
  select user_id, id, op, answer, $12 from unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) as r(user_id, id, op, answer)
  on conflict (user_id, id) do nothing
  returning 1
), stored as (
  insert into events (type, body, created_at, subject)
  select type, body, $12, subject from unnest($5::text[], $6::text[], $13::text[]) as e(type, body, subject)
  returning id
), numbered as (
  select id, row_number() over (order by id) as emit from stored
), heads as (
  insert into mailbox_heads (user_id, last_seq)
  select * from unnest($7::bigint[], $8::bigint[])
  on conflict (user_id) do update set last_seq = mailbox_heads.last_seq + excluded.last_seq
  returning user_id, last_seq
), appended as (
  insert into mailbox (user_id, seq, event_id)
  select m.user_id, h.last_seq - c.events + m.position, n.id
  from unnest($9::bigint[], $10::bigint[], $11::bigint[]) as m(user_id, position, emit)
  join heads h on h.user_id = m.user_id
  join unnest($7::bigint[], $8::bigint[]) as c(user_id, events) on c.user_id = m.user_id
  join numbered n on n.emit = m.emit
  returning 1
)
select (select count(*) from recorded) as recorded,
       (select count(*) from appended) as appended,
       (select coalesce(json_agg(json_build_array(user_id, last_seq)), '[]') from heads) as heads`;

/**
 * Records a batch's answers and appends its events (appendEvents). Answers whether every
 * answer was new (see recordAnswers) and, per emit, what each user got.
 */
export async function endBatch(tx: Transaction<CoreTables>, recorded: readonly RequestRecord[], emits: readonly Emit[], now: string): Promise<{ allNew: boolean; appended: Appended[][] }> {
  const db = tx as unknown as Kysely<never>;
  if (!isPostgres(db)) {
    const allNew = await recordAnswers(tx, recorded, now);
    return { allNew, appended: allNew ? await appendEvents(tx, emits, now) : [] };
  }
  const plan = planAppend(emits);
  // As appendEvents: no recipient, no event stored.
  const stored = plan.users.length > 0 ? emits : [];
  // Each mailbox row: its user, its place among that user's rows in this batch, its emit (1-based).
  const rows: Array<[number, number, number]> = [];
  const placed = new Map<number, number>();
  plan.recipients.forEach((users, index) => {
    for (const userId of users) {
      const position = (placed.get(userId) ?? 0) + 1;
      placed.set(userId, position);
      rows.push([userId, position, index + 1]);
    }
  });
  const { rows: result } = await preparedQuery<{ recorded: number; appended: number; heads: Array<[number, number]> | string }>(db, POSTGRES_BATCH_END, [
    recorded.map((r) => r.userId),
    recorded.map((r) => r.id),
    recorded.map((r) => r.op),
    recorded.map((r) => JSON.stringify(r.answer)),
    stored.map((e) => e.type),
    stored.map((e) => JSON.stringify(e.body)),
    plan.users,
    plan.users.map((userId) => plan.counts.get(userId)!),
    rows.map((row) => row[0]),
    rows.map((row) => row[1]),
    rows.map((row) => row[2]),
    now,
    stored.map((e) => e.subject ?? null),
  ]);
  const outcome = result[0]!;
  const heads = (typeof outcome.heads === 'string' ? JSON.parse(outcome.heads) : outcome.heads) as Array<[number, number]>;
  if (Number(outcome.appended) !== rows.length) throw new Error(`a batch appended ${outcome.appended} of ${rows.length} mailbox rows`);
  return {
    allNew: Number(outcome.recorded) === recorded.length,
    appended: assignSeqs(plan, emits, heads.map(([userId, lastSeq]) => ({ user_id: userId, last_seq: lastSeq }))),
  };
}
