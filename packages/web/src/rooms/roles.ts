import { roomRole, type RoomRole } from '@pod/protocol';

const RANK: Record<RoomRole, number> = { owner: 3, admin: 2, moderator: 1, member: 0 };

/** Whether `role` is at least `least`: what the client offers; the server decides. */
export function atLeast(role: RoomRole | undefined, least: RoomRole): boolean {
  return role !== undefined && RANK[role] >= RANK[least];
}

/** Moderation acts only downwards, and only from moderators up. */
export function mayModerate(mine: RoomRole | undefined, theirs: RoomRole): boolean {
  return mine !== undefined && atLeast(mine, 'moderator') && RANK[mine] > RANK[theirs];
}

/** The roles I may hand out: an admin up to admin, an owner any. */
export function assignableRoles(mine: RoomRole | undefined): RoomRole[] {
  if (mine === 'owner') return [...roomRole.options];
  if (mine === 'admin') return roomRole.options.filter((r) => r !== 'owner');
  return [];
}
