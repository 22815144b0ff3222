import type { Transaction } from 'kysely';
import type { CoreTables } from '../store/schema.ts';

/** The answer a request id already got, so a retry stores nothing twice and gets the same answer. */
export async function findAnswer(tx: Transaction<CoreTables>, userId: number, id: string): Promise<{ op: string; answer: unknown } | undefined> {
  const row = await tx.selectFrom('requests').select(['op', 'answer']).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return row ? { op: row.op, answer: JSON.parse(row.answer) } : undefined;
}

export async function recordAnswer(tx: Transaction<CoreTables>, userId: number, id: string, op: string, answer: unknown, now: string): Promise<void> {
  await tx.insertInto('requests').values({ user_id: userId, id, op, answer: JSON.stringify(answer), created_at: now }).execute();
}
