import type { Kysely, Transaction } from 'kysely';
import { rowsQuery, type RowsStatement } from '../store/hot-sql.ts';
import type { CoreTables } from '../store/schema.ts';

export interface RecordedAnswer {
  op: string;
  answer: unknown;
}

export interface RequestRecord extends RecordedAnswer {
  userId: number;
  id: string;
}

/** Keys of the request log: the same request id from two users is two requests. */
export const requestKey = (userId: number, id: string): string => `${userId} ${id}`;

const FIND: RowsStatement = { text: 'select user_id, id, op, answer from requests where (user_id, id) in ({rows})', types: ['bigint', 'text'] };
const RECORD: RowsStatement = {
  text: 'insert into requests (user_id, id, op, answer, created_at) {rows} on conflict (user_id, id) do nothing',
  types: ['bigint', 'text', 'text', 'text', 'text'],
};

/** The answers a batch's request ids already got, in one statement, so a retry stores nothing twice. */
export async function findAnswers(tx: Transaction<CoreTables>, keys: ReadonlyArray<{ userId: number; id: string }>): Promise<Map<string, RecordedAnswer>> {
  const found = new Map<string, RecordedAnswer>();
  if (keys.length === 0) return found;
  const { rows } = await rowsQuery<{ user_id: number; id: string; op: string; answer: string }>(
    tx as unknown as Kysely<never>,
    FIND,
    keys.map((key) => [key.userId, key.id]),
  );
  for (const row of rows) found.set(requestKey(Number(row.user_id), row.id), { op: row.op, answer: JSON.parse(row.answer) });
  return found;
}

/**
 * Records a batch's answers. Answers whether every one was new: false means another process
 * committed one of these request ids meanwhile (a retry racing its original), and the batch
 * must run again to repeat that answer instead of its own.
 */
export async function recordAnswers(tx: Transaction<CoreTables>, records: readonly RequestRecord[], now: string): Promise<boolean> {
  if (records.length === 0) return true;
  const result = await rowsQuery(
    tx as unknown as Kysely<never>,
    RECORD,
    records.map((record) => [record.userId, record.id, record.op, JSON.stringify(record.answer), now]),
  );
  return Number(result.numAffectedRows ?? records.length) === records.length;
}
