import type { Retraction, WriteScope } from '../../runtime/app.ts';
import type { ImTables } from '../../store/schema.ts';
import { repliesTo } from './conversation.repo.ts';
import { present, type Row } from './im.repo.ts';

/** What the stored events carrying a message's content are about: its im.message and its edits. */
export function messageSubject(id: string): string {
  return `im-message:${id}`;
}

/**
 * Takes a message deleted for both ends (`row`, as deleted) out of the stored events: its
 * im.message becomes the deleted message, its edits lose their text, replies' quotes of it go
 * blank. Each event keeps its type, so a device replaying its mailbox later ends where one
 * that saw them live did, without ever receiving the text. Reactions arrive in their own events.
 */
export async function retractDeleted(scope: WriteScope<ImTables>, row: Row): Promise<void> {
  const [message, ...replies] = await present(scope.tx, [row, ...(await repliesTo(scope.tx, row.id))]);
  const subject = messageSubject(row.id);
  const { reactions: _none, ...deleted } = message!;
  await scope.retractEvents([
    { subject, ofType: 'im.message', type: 'im.message', body: deleted },
    { subject, ofType: 'im.edited', type: 'im.edited', body: { id: row.id, from: row.sender_name, to: row.recipient_name, text: '', editedAt: row.edited_at ?? row.deleted_at! } },
    ...replies.map(({ reactions: _r, ...reply }): Retraction => ({ subject: messageSubject(reply.id), ofType: 'im.message', type: 'im.message', body: reply })),
  ]);
}
