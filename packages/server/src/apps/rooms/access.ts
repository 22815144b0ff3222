import { PodError, type RoomRole } from '@pod/protocol';
import { findMember, findRoom, findRoomById, type Db, type MemberRow, type RoomRow } from './rooms.repo.ts';
import { findMessage, type MessageRow } from './messages.repo.ts';

const RANK: Record<RoomRole, number> = { owner: 3, admin: 2, moderator: 1, member: 0 };

export function rank(role: string): number {
  return RANK[role as RoomRole] ?? 0;
}

/** A room and the caller's row in it (undefined if they never had one). */
export interface Seat {
  room: RoomRow;
  me: MemberRow | undefined;
}

const noRoom = (name: string) => new PodError('not_found', `no room named #${name}`);

/**
 * Every room operation starts here. A private room exists only for its members and invitees:
 * anyone else, even someone kicked or banned from it, is told there is no such room.
 */
export async function seatIn(db: Db, name: string, userId: number): Promise<Seat> {
  const room = await findRoom(db, name);
  if (!room) throw noRoom(name);
  const me = await findMember(db, Number(room.id), userId);
  if (room.kind === 'private' && me?.state !== 'joined' && me?.state !== 'invited') throw noRoom(name);
  return { room, me };
}

/** The caller's row if they are in the room; else why not, as they may know it. */
export function joined(seat: Seat): MemberRow {
  const { room, me } = seat;
  if (me?.state === 'joined') return me;
  if (me?.state === 'banned') throw new PodError('forbidden', `you are banned from #${room.name}${me.reason ? `: ${me.reason}` : ''}`);
  if (me?.state === 'invited') throw new PodError('forbidden', `accept your invitation to #${room.name} first: pod room accept ${room.name}`);
  throw new PodError('forbidden', `you are not in #${room.name}; join it first: pod room join ${room.name}`);
}

/** The caller's row if they hold at least `role` in the room. */
export function atLeast(seat: Seat, role: RoomRole, doing: string): MemberRow {
  const me = joined(seat);
  if (rank(me.role) < rank(role)) throw new PodError('forbidden', `only ${role === 'owner' ? 'an owner' : `a ${role} or above`} of #${seat.room.name} may ${doing}`);
  return me;
}

/** A muted member reads but says nothing: no messages, edits, reactions or typing. */
export function unmuted(seat: Seat, me: MemberRow): void {
  if (Number(me.muted) === 1) throw new PodError('forbidden', `a moderator muted you in #${seat.room.name}`);
}

/** Moderation acts only downwards: on people whose role is below the actor's. */
export function outranks(seat: Seat, actor: MemberRow, target: MemberRow, doing: string): void {
  if (rank(target.role) >= rank(actor.role)) throw new PodError('forbidden', `you cannot ${doing} ${target.user_name}: their role in #${seat.room.name} (${target.role}) is not below yours (${actor.role})`);
}

/** A message and the caller's seat in its room, if the caller may see that message; else not_found. */
export async function messageSeat(db: Db, id: string, userId: number): Promise<Seat & { message: MessageRow; me: MemberRow }> {
  const notFound = new PodError('not_found', `no message ${id}`);
  const message = await findMessage(db, id);
  if (!message) throw notFound;
  const room = (await findRoomById(db, Number(message.room_id)))!;
  const me = await findMember(db, Number(room.id), userId);
  // Messages are for members only, and only from when they could see the room.
  if (me?.state !== 'joined' || Number(message.ord) < Number(me.since_ord)) throw notFound;
  return { room, me, message };
}
