import { sql, type Kysely } from 'kysely';
import { textMatch } from '../../store/text-search.repo.ts';
import type { MessageRow } from './messages.repo.ts';
import type { Db } from './rooms.repo.ts';

export interface SearchFilters {
  words: readonly string[];
  userId: number;
  from?: string | undefined;
  room?: string | undefined;
  before?: string | undefined;
  after?: string | undefined;
  limit: number;
  offset: number;
}

/**
 * Messages matching every word, in rooms the user is in now and from when they could see each
 * room, not deleted; best first. Access is part of the query, so a page never holds, and a
 * count never reveals, a message the user may not read.
 */
export async function searchMessages(db: Db, f: SearchFilters): Promise<Array<MessageRow & { room_name: string; score: number }>> {
  const match = textMatch(db as unknown as Kysely<never>, 'room_messages', f.words);
  const filters = [
    ...(f.from !== undefined ? [sql`and m.sender_name = ${f.from}`] : []),
    ...(f.room !== undefined ? [sql`and r.name = ${f.room}`] : []),
    ...(f.before !== undefined ? [sql`and m.at < ${f.before}`] : []),
    ...(f.after !== undefined ? [sql`and m.at >= ${f.after}`] : []),
  ];
  const { rows } = await sql<MessageRow & { room_name: string; score: number }>`
    select m.ord, m.id, m.room_id, m.sender_id, m.sender_name, m.text, m.at, m.reply_to, m.mentions, m.edited_at, m.deleted_at, m.deleted_by,
           r.name as room_name, ${match.score} as score
    from room_messages m
    ${match.join}
    join room_members me on me.room_id = m.room_id and me.user_id = ${f.userId} and me.state = 'joined'
    join rooms r on r.id = m.room_id
    where ${match.where} and m.ord >= me.since_ord and m.deleted_at is null ${sql.join(filters, sql` `)}
    order by score desc, m.ord desc
    limit ${f.limit} offset ${f.offset}`.execute(db);
  return rows.map((row) => ({ ...row, score: Number(row.score) }));
}
