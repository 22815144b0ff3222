import type { Kysely, Transaction } from 'kysely';
import { hotQuery } from '../store/hot-sql.ts';
import type { CoreTables } from '../store/schema.ts';

/** The answer a request id already got, so a retry stores nothing twice and gets the same answer. */
export async function findAnswer(tx: Transaction<CoreTables>, userId: number, id: string): Promise<{ op: string; answer: unknown } | undefined> {
  const { rows } = await hotQuery<{ op: string; answer: string }>(tx as unknown as Kysely<never>, 'select op, answer from requests where user_id = ? and id = ?', [userId, id]);
  const row = rows[0];
  return row ? { op: row.op, answer: JSON.parse(row.answer) } : undefined;
}

export async function recordAnswer(tx: Transaction<CoreTables>, userId: number, id: string, op: string, answer: unknown, now: string): Promise<void> {
  await hotQuery(tx as unknown as Kysely<never>, 'insert into requests (user_id, id, op, answer, created_at) values (?, ?, ?, ?, ?)', [userId, id, op, JSON.stringify(answer), now]);
}
