import { PodError } from '@pod/protocol';
import type { Transaction } from 'kysely';
import type { ImTables } from '../../store/schema.ts';
import type { Db, Row } from './im.repo.ts';

type Tx = Transaction<ImTables>;

/** A message between the caller and someone; anyone else's is not found. */
export async function messageOf(db: Db, id: string, userId: number): Promise<Row> {
  const row = (await db
    .selectFrom('im_messages')
    .selectAll()
    .where('id', '=', id)
    .where((eb) => eb.or([eb('sender_id', '=', userId), eb('recipient_id', '=', userId)]))
    .executeTakeFirst()) as Row | undefined;
  if (!row) throw new PodError('not_found', `no message ${id}`);
  return row;
}

export async function editText(tx: Tx, id: string, text: string, at: string): Promise<Row> {
  return (await tx.updateTable('im_messages').set({ text, edited_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()) as Row;
}

/** Deletes a message for both ends: its text goes (attachments stop showing) and so do its reactions. */
export async function deleteForBoth(tx: Tx, id: string, at: string): Promise<Row> {
  await tx.deleteFrom('im_reactions').where('message_id', '=', id).execute();
  return (await tx.updateTable('im_messages').set({ text: '', deleted_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()) as Row;
}

/** The messages that answer `id`. */
export async function repliesTo(db: Db, id: string): Promise<Row[]> {
  return (await db.selectFrom('im_messages').selectAll().where('reply_to', '=', id).orderBy('ord').execute()) as Row[];
}

/** Adds or removes one reaction; answers whether anything changed. */
export async function setReaction(tx: Tx, r: { messageId: string; userId: number; userName: string; emoji: string; at: string }, add: boolean): Promise<boolean> {
  if (!add) {
    const result = await tx.deleteFrom('im_reactions').where('message_id', '=', r.messageId).where('user_id', '=', r.userId).where('emoji', '=', r.emoji).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
  const inserted = await tx
    .insertInto('im_reactions')
    .values({ message_id: r.messageId, user_id: r.userId, user_name: r.userName, emoji: r.emoji, at: r.at })
    .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}
