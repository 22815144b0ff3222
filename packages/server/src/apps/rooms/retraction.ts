import type { Retraction, WriteScope } from '../../runtime/app.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { findMessage, present, repliesTo } from './messages.repo.ts';

/**
 * What the stored events carrying a message's content are about: its room.message, its edits
 * and the mentions it made. Retracting it takes the text out of every mailbox.
 */
export function messageSubject(id: string): string {
  return `room-message:${id}`;
}

/**
 * The messages answering `ids` that remain, as their room.message events now say them: their
 * quotes show the answered message as it is now (blank once deleted, none once expired), so a
 * reply's event keeps no text its quoted message lost. Reactions arrive in their own events.
 */
async function requoted(scope: WriteScope<RoomsTables>, ids: readonly string[], roomName: string): Promise<Retraction[]> {
  const replies = await present(scope.tx, await repliesTo(scope.tx, ids), roomName);
  return replies.map((reply) => ({ subject: messageSubject(reply.id), ofType: 'room.message', type: 'room.message', body: { ...reply, reactions: [] } }));
}

/**
 * Takes a message just deleted for everyone out of the stored events: its
 * room.message becomes the deleted message, its edits and mentions lose their text, replies
 * lose its quote. Each event keeps its type, so a client replaying its mailbox counts unread
 * messages as before, and the room.deleted that follows corrects the count as it did.
 */
export async function retractDeleted(scope: WriteScope<RoomsTables>, id: string, roomName: string): Promise<void> {
  const row = (await findMessage(scope.tx, id))!;
  const [message] = await present(scope.tx, [row], roomName);
  const subject = messageSubject(id);
  await scope.retractEvents([
    { subject, ofType: 'room.message', type: 'room.message', body: message! },
    { subject, ofType: 'room.edited', type: 'room.edited', body: { room: roomName, id, text: '', editedAt: row.edited_at ?? row.deleted_at!, mentions: [] } },
    { subject, ofType: 'room.mention', type: 'room.mention', body: { room: roomName, id, from: row.sender_name, text: '' } },
    ...(await requoted(scope, [id], roomName)),
  ]);
}

/**
 * Takes expired messages (already deleted from the room's tables) out of the stored events:
 * every event about one becomes a `room.expired` naming it, and replies that remain lose their
 * quotes. Members connected now, or resuming from a cursor past those events, learn of it from
 * one `room.expired` naming them all.
 */
export async function retractExpired(scope: WriteScope<RoomsTables>, ids: readonly string[], roomName: string, members: readonly number[]): Promise<void> {
  await scope.retractEvents([
    ...ids.map((id): Retraction => ({ subject: messageSubject(id), type: 'room.expired', body: { room: roomName, ids: [id] } })),
    ...(await requoted(scope, ids, roomName)),
  ]);
  await scope.emit(members, 'room.expired', { room: roomName, ids: [...ids] });
}
