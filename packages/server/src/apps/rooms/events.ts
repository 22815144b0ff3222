import type { MemberChange, RoomMember, RoomRole } from '@pod/protocol';
import type { WriteScope } from '../../runtime/app.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { unreadCounts } from './messages.repo.ts';
import { joinedIds, memberCounts, toMyRoom, type MemberRow, type RoomRow } from './rooms.repo.ts';

export function toMember(row: MemberRow): RoomMember {
  return { name: row.user_name, role: row.role as RoomRole, muted: Number(row.muted) === 1, joinedAt: row.joined_at };
}

/**
 * Tells a room's members, and the person concerned (who may just have left it), that a
 * membership changed; the person concerned also gets the room as they now see it. Read
 * inside the transaction, so the count and the audience are the ones this change produced.
 */
export async function emitMemberChange(scope: WriteScope<RoomsTables>, room: RoomRow, row: MemberRow, change: MemberChange, by: string | null, reason = ''): Promise<void> {
  const roomId = Number(room.id);
  const audience = await joinedIds(scope.tx, roomId);
  const members = (await memberCounts(scope.tx, [roomId])).get(roomId) ?? 0;
  const userId = Number(row.user_id);
  const body = { room: room.name, name: row.user_name, change, member: row.state === 'joined' ? toMember(row) : null, members, by, reason };
  await scope.emit(audience.filter((id) => id !== userId), 'room.member', body);
  const unread = row.state === 'joined' ? ((await unreadCounts(scope.tx, userId, [roomId])).get(roomId) ?? 0) : 0;
  await scope.emit([userId], 'room.member', row.state === 'joined' ? { ...body, mine: toMyRoom(room, members, row, unread) } : body);
}
