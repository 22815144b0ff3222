import type { FileAttachment, Reaction, ReplyQuote, RoomMessage } from '@pod/protocol';
import type { Kysely, Selectable } from 'kysely';
import { rowsQuery, type RowsStatement } from '../../store/hot-sql.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { groupReactions } from '../reactions.ts';
import type { Db, Tx } from './rooms.repo.ts';

export type MessageRow = Selectable<RoomsTables['room_messages']>;

export async function findMessage(db: Db, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('room_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findMessages(db: Db, ids: readonly string[]): Promise<Map<string, MessageRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('room_messages').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/** The order of a room's last message; 0 before any. */
export async function lastOrd(db: Db, roomId: number): Promise<number> {
  const row = await db.selectFrom('room_messages').select((eb) => eb.fn.max('ord').as('last')).where('room_id', '=', roomId).executeTakeFirst();
  return Number(row?.last ?? 0);
}

export interface NewMessage {
  id: string;
  roomId: number;
  senderId: number;
  senderName: string;
  text: string;
  at: string;
  replyTo: string | null;
  mentions: string[];
  attachments: FileAttachment[] | undefined;
}

const INSERT: RowsStatement = {
  text: 'insert into room_messages (id, room_id, sender_id, sender_name, text, at, reply_to, mentions, attachments) {rows} returning id, ord',
  types: ['text', 'bigint', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text'],
};

/** Stores messages in one statement; answers each one's room order by id. */
export async function insertMessages(tx: Tx, messages: readonly NewMessage[]): Promise<Map<string, number>> {
  const { rows } = await rowsQuery<{ id: string; ord: number }>(
    tx as unknown as Kysely<never>,
    INSERT,
    messages.map((m) => [m.id, m.roomId, m.senderId, m.senderName, m.text, m.at, m.replyTo, JSON.stringify(m.mentions), m.attachments ? JSON.stringify(m.attachments) : null]),
  );
  return new Map(rows.map((row) => [row.id, Number(row.ord)]));
}

/** The reactions on messages, each emoji's in the order people reacted. */
export async function reactionsOf(db: Db, ids: readonly string[]): Promise<Map<string, Reaction[]>> {
  if (ids.length === 0) return new Map();
  return groupReactions(await db.selectFrom('room_reactions').select(['message_id', 'emoji', 'user_name']).where('message_id', 'in', [...ids]).orderBy('id').execute());
}

export function toQuote(row: MessageRow): ReplyQuote {
  return { id: row.id, from: row.sender_name, text: row.deleted_at ? '' : row.text, deleted: row.deleted_at !== null };
}

export function toMessage(row: MessageRow, roomName: string, reactions: Reaction[], replyTo: ReplyQuote | null): RoomMessage {
  return {
    id: row.id,
    room: roomName,
    from: row.sender_name,
    text: row.deleted_at ? '' : row.text,
    at: row.at,
    order: Number(row.ord),
    replyTo,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    mentions: JSON.parse(row.mentions) as string[],
    reactions,
    // A message deleted for everyone shows nothing of what it carried.
    ...(row.attachments && !row.deleted_at ? { attachments: JSON.parse(row.attachments) as FileAttachment[] } : {}),
  };
}

/** Messages as clients see them: with their reactions and the messages they answer. */
export async function present(db: Db, rows: readonly MessageRow[], roomName: string): Promise<RoomMessage[]> {
  const reactions = await reactionsOf(db, rows.map((row) => row.id));
  const answered = await findMessages(db, rows.flatMap((row) => (row.reply_to ? [row.reply_to] : [])));
  return rows.map((row) => {
    const quoted = row.reply_to ? answered.get(row.reply_to) : undefined;
    return toMessage(row, roomName, reactions.get(row.id) ?? [], quoted ? toQuote(quoted) : null);
  });
}

/** When a room's kept messages begin now (ISO time), or undefined if it keeps everything. */
export function retentionCutoff(room: { retention_days: number }, now: number): string | undefined {
  const days = Number(room.retention_days);
  return days > 0 ? new Date(now - days * 86_400_000).toISOString() : undefined;
}

/**
 * One page of a room, oldest first, from `sinceOrd` on, ending just before `before`; nothing
 * older than `keptFrom` (the retention sweep deletes those, this hides them until it runs).
 */
export async function historyRows(db: Db, roomId: number, sinceOrd: number, before: number | undefined, limit: number, keptFrom?: string): Promise<{ rows: MessageRow[]; more: boolean }> {
  let query = db.selectFrom('room_messages').selectAll().where('room_id', '=', roomId).where('ord', '>=', sinceOrd);
  if (before !== undefined) query = query.where('ord', '<', before);
  if (keptFrom !== undefined) query = query.where('at', '>=', keptFrom);
  const rows = await query.orderBy('ord', 'desc').limit(limit + 1).execute();
  return { rows: rows.slice(0, limit).reverse(), more: rows.length > limit };
}

/** Unread messages per room for one member: after their marker and their start, from others, not deleted. */
export async function unreadCounts(db: Db, userId: number, roomIds: readonly number[]): Promise<Map<number, number>> {
  if (roomIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('room_messages as msg')
    .innerJoin('room_members as me', (join) => join.onRef('me.room_id', '=', 'msg.room_id').on('me.user_id', '=', userId))
    .select(['msg.room_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('msg.room_id', 'in', [...roomIds])
    .whereRef('msg.ord', '>', 'me.read_ord')
    .whereRef('msg.ord', '>=', 'me.since_ord')
    .where('msg.deleted_at', 'is', null)
    .where('msg.sender_id', '<>', userId)
    .groupBy('msg.room_id')
    .execute();
  return new Map(rows.map((row) => [Number(row.room_id), Number(row.n)]));
}

export async function editMessage(tx: Tx, row: MessageRow, text: string, mentions: string[], at: string): Promise<MessageRow> {
  await tx.insertInto('room_message_edits').values({ message_id: row.id, text: row.text, at: row.edited_at ?? row.at }).execute();
  return tx.updateTable('room_messages').set({ text, mentions: JSON.stringify(mentions), edited_at: at }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
}

export async function earlierTexts(db: Db, id: string): Promise<Array<{ text: string; at: string }>> {
  return db.selectFrom('room_message_edits').select(['text', 'at']).where('message_id', '=', id).orderBy('id').execute();
}

/** Deletes a message for everyone: its text, earlier texts and reactions go; a tombstone keeps its place. */
export async function deleteMessage(tx: Tx, id: string, by: string, at: string): Promise<void> {
  await tx.updateTable('room_messages').set({ text: '', mentions: '[]', deleted_at: at, deleted_by: by }).where('id', '=', id).execute();
  await tx.deleteFrom('room_message_edits').where('message_id', '=', id).execute();
  await tx.deleteFrom('room_reactions').where('message_id', '=', id).execute();
}

/** Adds or removes one reaction; answers whether anything changed. */
export async function setReaction(tx: Tx, r: { messageId: string; userId: number; userName: string; emoji: string; at: string }, add: boolean): Promise<boolean> {
  if (!add) {
    const result = await tx.deleteFrom('room_reactions').where('message_id', '=', r.messageId).where('user_id', '=', r.userId).where('emoji', '=', r.emoji).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
  const inserted = await tx
    .insertInto('room_reactions')
    .values({ message_id: r.messageId, user_id: r.userId, user_name: r.userName, emoji: r.emoji, at: r.at })
    .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Deletes up to `limit` of a room's messages older than `cutoff`, with their reactions and earlier texts; answers their ids. */
export async function deleteExpired(tx: Tx, roomId: number, cutoff: string, limit: number): Promise<{ ids: string[]; lastOrd: number }> {
  const rows = await tx.selectFrom('room_messages').select(['ord', 'id']).where('room_id', '=', roomId).where('at', '<', cutoff).orderBy('ord').limit(limit).execute();
  if (rows.length === 0) return { ids: [], lastOrd: 0 };
  const ids = rows.map((row) => row.id);
  await tx.deleteFrom('room_reactions').where('message_id', 'in', ids).execute();
  await tx.deleteFrom('room_message_edits').where('message_id', 'in', ids).execute();
  await tx.deleteFrom('room_messages').where('ord', 'in', rows.map((row) => row.ord)).execute();
  return { ids, lastOrd: Number(rows.at(-1)!.ord) };
}

/**
 * The members of a room whose marker is before `ord`, with their unread counts as they are now
 * (after their marker and their start, from others, not deleted): one statement for them all.
 */
export async function unreadBefore(db: Db, roomId: number, ord: number): Promise<Array<{ userId: number; readOrd: number; unread: number }>> {
  const rows = await db
    .selectFrom('room_members as me')
    .leftJoin('room_messages as msg', (join) =>
      join
        .onRef('msg.room_id', '=', 'me.room_id')
        .onRef('msg.ord', '>', 'me.read_ord')
        .onRef('msg.ord', '>=', 'me.since_ord')
        .onRef('msg.sender_id', '<>', 'me.user_id')
        .on('msg.deleted_at', 'is', null),
    )
    .select(['me.user_id', 'me.read_ord', (eb) => eb.fn.count<number>('msg.ord').as('n')])
    .where('me.room_id', '=', roomId)
    .where('me.state', '=', 'joined')
    .where('me.read_ord', '<', ord)
    .groupBy(['me.user_id', 'me.read_ord'])
    .execute();
  return rows.map((row) => ({ userId: Number(row.user_id), readOrd: Number(row.read_ord), unread: Number(row.n) }));
}

/** The messages that answer any of `ids`. */
export async function repliesTo(db: Db, ids: readonly string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('room_messages').selectAll().where('reply_to', 'in', [...ids]).orderBy('ord').execute();
}

/** Every message of a room a member could see, oldest first, in pages of `page`. */
export async function* allMessages(db: Db, roomId: number, keptFrom: string | undefined, page: number): AsyncGenerator<MessageRow[]> {
  for (let after = -1; ; ) {
    let query = db.selectFrom('room_messages').selectAll().where('room_id', '=', roomId).where('ord', '>', after);
    if (keptFrom !== undefined) query = query.where('at', '>=', keptFrom);
    const rows = await query.orderBy('ord').limit(page).execute();
    if (rows.length === 0) return;
    yield rows;
    after = Number(rows.at(-1)!.ord);
  }
}
