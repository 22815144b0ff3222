import { sql, type Kysely } from 'kysely';
import { textMatch } from '../../store/text-search.repo.ts';
import { conversationKey, type Db, type Row } from './im.repo.ts';

export interface SearchFilters {
  words: readonly string[];
  userId: number;
  me: string;
  from?: string | undefined;
  with?: string | undefined;
  before?: string | undefined;
  after?: string | undefined;
  limit: number;
  offset: number;
}

/** The user's own conversations' messages matching every word, not deleted; best first. */
export async function searchMessages(db: Db, f: SearchFilters): Promise<Array<Row & { score: number }>> {
  const match = textMatch(db as unknown as Kysely<never>, 'im_messages', f.words);
  const filters = [
    ...(f.from !== undefined ? [sql`and m.sender_name = ${f.from}`] : []),
    ...(f.with !== undefined ? [sql`and m.conv = ${conversationKey(f.me, f.with)}`] : []),
    ...(f.before !== undefined ? [sql`and m.at < ${f.before}`] : []),
    ...(f.after !== undefined ? [sql`and m.at >= ${f.after}`] : []),
  ];
  const { rows } = await sql<Row & { score: number }>`
    select m.ord, m.id, m.conv, m.sender_id, m.recipient_id, m.sender_name, m.recipient_name, m.text, m.at, m.delivered_at, m.read_at,
           m.attachments, m.reply_to, m.edited_at, m.deleted_at, ${match.score} as score
    from im_messages m
    ${match.join}
    where ${match.where} and (m.sender_id = ${f.userId} or m.recipient_id = ${f.userId}) and m.deleted_at is null ${sql.join(filters, sql` `)}
    order by score desc, m.ord desc
    limit ${f.limit} offset ${f.offset}`.execute(db);
  return rows.map((row) => ({ ...row, score: Number(row.score) }));
}
