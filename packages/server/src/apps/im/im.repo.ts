import type { FileAttachment, ImMessage, Reaction, ReplyQuote } from '@pod/protocol';
import { sql, type Kysely, type Transaction } from 'kysely';
import { rowsQuery, type RowsStatement } from '../../store/hot-sql.ts';
import type { ImTables } from '../../store/schema.ts';
import { groupReactions } from '../reactions.ts';

export type Db = Kysely<ImTables> | Transaction<ImTables>;
export type Row = ImTables['im_messages'] & { ord: number };

/** A conversation is named by its two members; names never change, so no lookup is needed. */
export function conversationKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

export function toMessage(row: Row, reactions: Reaction[] = [], replyTo?: ReplyQuote): ImMessage {
  return {
    id: row.id,
    from: row.sender_name,
    to: row.recipient_name,
    text: row.deleted_at ? '' : row.text,
    at: row.at,
    order: Number(row.ord),
    deliveredAt: row.delivered_at,
    readAt: row.read_at,
    ...(row.attachments && !row.deleted_at ? { attachments: JSON.parse(row.attachments) as FileAttachment[] } : {}),
    ...(replyTo ? { replyTo } : {}),
    ...(row.edited_at ? { editedAt: row.edited_at } : {}),
    ...(row.deleted_at ? { deletedAt: row.deleted_at } : {}),
    ...(reactions.length > 0 ? { reactions } : {}),
  };
}

export function toQuote(row: Row): ReplyQuote {
  return { id: row.id, from: row.sender_name, text: row.deleted_at ? '' : row.text, deleted: row.deleted_at !== null };
}

export async function findMessages(db: Db, ids: readonly string[]): Promise<Map<string, Row>> {
  if (ids.length === 0) return new Map();
  const rows = (await db.selectFrom('im_messages').selectAll().where('id', 'in', [...new Set(ids)]).execute()) as Row[];
  return new Map(rows.map((row) => [row.id, row]));
}

/** Messages as clients see them: with their reactions and the messages they answer. */
export async function present(db: Db, rows: readonly Row[]): Promise<ImMessage[]> {
  const ids = rows.map((row) => row.id);
  const reactions = ids.length === 0 ? new Map<string, Reaction[]>() : groupReactions(await db.selectFrom('im_reactions').select(['message_id', 'emoji', 'user_name']).where('message_id', 'in', ids).orderBy('id').execute());
  const answered = await findMessages(db, rows.flatMap((row) => (row.reply_to ? [row.reply_to] : [])));
  return rows.map((row) => {
    const quoted = row.reply_to ? answered.get(row.reply_to) : undefined;
    return toMessage(row, reactions.get(row.id), quoted ? toQuote(quoted) : undefined);
  });
}

export interface NewMessage {
  id: string;
  senderId: number;
  senderName: string;
  recipientId: number;
  recipientName: string;
  text: string;
  at: string;
  attachments?: FileAttachment[];
  replyTo?: ReplyQuote;
}

const INSERT: RowsStatement = {
  text: 'insert into im_messages (id, conv, sender_id, recipient_id, sender_name, recipient_name, text, at, attachments, reply_to) {rows} returning id, ord',
  types: ['text', 'text', 'bigint', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text'],
};

/** Stores messages in one statement; each gets the next conversation order. */
export async function insertMessages(tx: Transaction<ImTables>, messages: readonly NewMessage[]): Promise<ImMessage[]> {
  const { rows } = await rowsQuery<{ id: string; ord: number }>(
    tx as unknown as Kysely<never>,
    INSERT,
    messages.map((m) => [m.id, conversationKey(m.senderName, m.recipientName), m.senderId, m.recipientId, m.senderName, m.recipientName, m.text, m.at, m.attachments ? JSON.stringify(m.attachments) : null, m.replyTo?.id ?? null]),
  );
  const orders = new Map(rows.map((row) => [row.id, Number(row.ord)]));
  return messages.map((m) => ({
    id: m.id,
    from: m.senderName,
    to: m.recipientName,
    text: m.text,
    at: m.at,
    order: orders.get(m.id)!,
    deliveredAt: null,
    readAt: null,
    ...(m.attachments ? { attachments: m.attachments } : {}),
    ...(m.replyTo ? { replyTo: m.replyTo } : {}),
  }));
}

/** One page of a conversation, oldest first, ending just before `before` (an order). */
export async function historyPage(db: Db, me: string, other: string, before: number | undefined, limit: number): Promise<{ messages: ImMessage[]; more: boolean }> {
  let query = db.selectFrom('im_messages').selectAll().where('conv', '=', conversationKey(me, other));
  if (before !== undefined) query = query.where('ord', '<', before);
  const rows = (await query.orderBy('ord', 'desc').limit(limit + 1).execute()) as Row[];
  const more = rows.length > limit;
  return { messages: await present(db, rows.slice(0, limit).reverse()), more };
}

/**
 * Marks messages addressed to `recipientId` as delivered or read (read implies delivered).
 * Answers the ones that changed, so receipts go out once per message and kind.
 */
export async function markReceipts(tx: Transaction<ImTables>, recipientId: number, ids: string[], kind: 'delivered' | 'read', at: string): Promise<Array<{ id: string; senderId: number; senderName: string }>> {
  const column = kind === 'read' ? 'read_at' : 'delivered_at';
  const rows = await tx
    .selectFrom('im_messages')
    .select(['id', 'sender_id', 'sender_name'])
    .where('recipient_id', '=', recipientId)
    .where('id', 'in', ids)
    .where(column, 'is', null)
    .execute();
  if (rows.length === 0) return [];
  const changed = rows.map((row) => row.id);
  if (kind === 'read') {
    await tx
      .updateTable('im_messages')
      .set({ read_at: at, delivered_at: sql`coalesce(delivered_at, ${at})` })
      .where('id', 'in', changed)
      .execute();
  } else {
    await tx.updateTable('im_messages').set({ delivered_at: at }).where('id', 'in', changed).execute();
  }
  return rows.map((row) => ({ id: row.id, senderId: Number(row.sender_id), senderName: row.sender_name }));
}

export async function conversations(db: Db, userId: number, me: string): Promise<Array<{ with: string; last: ImMessage; unread: number }>> {
  const lastOrders = await db
    .selectFrom('im_messages')
    .select(['conv', (eb) => eb.fn.max('ord').as('last')])
    .where((eb) => eb.or([eb('sender_id', '=', userId), eb('recipient_id', '=', userId)]))
    .groupBy('conv')
    .execute();
  if (lastOrders.length === 0) return [];
  const lasts = (await db.selectFrom('im_messages').selectAll().where('ord', 'in', lastOrders.map((r) => Number(r.last))).execute()) as Row[];
  const unread = await db
    .selectFrom('im_messages')
    .select(['conv', (eb) => eb.fn.countAll<number>().as('n')])
    .where('recipient_id', '=', userId)
    .where('read_at', 'is', null)
    .groupBy('conv')
    .execute();
  const unreadByConv = new Map(unread.map((r) => [r.conv, Number(r.n)]));
  const sorted = lasts.sort((a, b) => Number(b.ord) - Number(a.ord));
  const presented = await present(db, sorted);
  return sorted.map((row, i) => ({ with: row.sender_name === me ? row.recipient_name : row.sender_name, last: presented[i]!, unread: unreadByConv.get(row.conv) ?? 0 }));
}
