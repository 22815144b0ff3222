import { PodError, type MyRoom } from '@pod/protocol';
import type { AppContext, AppOps, RequestInfo, WriteScope } from '../../runtime/app.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { atLeast, joined, seatIn, type Seat } from './access.ts';
import { emitMemberChange } from './events.ts';
import { lastOrd, unreadCounts } from './messages.repo.ts';
import { findMember, insertRoom, joinedRoomIds, memberCounts, myMemberships, ownerCount, publicRooms, putMember, setMemberState, toInvitation, toMyRoom, toRoom } from './rooms.repo.ts';

const DIRECTORY_PAGE = 50;

/** Who someone is, by name, as the directory knows them (enabled accounts only). */
export async function lookupUser(ctx: AppContext<RoomsTables>, name: string): Promise<{ id: number; name: string }> {
  const { users } = await ctx.call('directory.lookup', { names: [name] });
  const user = users[0];
  if (!user) throw new PodError('not_found', `no user named ${name}`);
  return user;
}

/** Makes the caller a member: they see the past as the room's history setting says, with nothing of it unread. */
async function enter(scope: WriteScope<RoomsTables>, seat: Seat, request: RequestInfo): Promise<MyRoom> {
  const caller = request.caller!;
  const roomId = Number(seat.room.id);
  const last = await lastOrd(scope.tx, roomId);
  const row = await putMember(scope.tx, {
    roomId,
    userId: caller.userId,
    name: caller.name,
    role: 'member',
    state: 'joined',
    sinceOrd: seat.room.history === 'all' ? 0 : last + 1,
    readOrd: last,
    by: caller.name,
    reason: '',
    at: scope.now,
  });
  await emitMemberChange(scope, seat.room, row, 'joined', caller.name);
  const members = (await memberCounts(scope.tx, [roomId])).get(roomId) ?? 0;
  return toMyRoom(seat.room, members, row, 0);
}

export const membershipOps: AppOps<RoomsTables> = {
  'rooms.create': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const room = await insertRoom(scope.tx, { name: input.name, topic: input.topic, kind: input.kind, history: input.history, createdBy: caller.name, at: scope.now });
      if (!room) throw new PodError('conflict', `the room name #${input.name} is taken`);
      const me = await putMember(scope.tx, { roomId: Number(room.id), userId: caller.userId, name: caller.name, role: 'owner', state: 'joined', sinceOrd: 0, readOrd: 0, by: caller.name, reason: '', at: scope.now });
      await emitMemberChange(scope, room, me, 'joined', caller.name);
      return toMyRoom(room, 1, me, 0);
    },
  },
  'rooms.list': {
    async read(_input, request, ctx) {
      const userId = request.caller!.userId;
      const mine = await myMemberships(ctx.db, userId);
      const inRooms = mine.filter((m) => m.me.state === 'joined');
      const ids = inRooms.map((m) => Number(m.room.id));
      const [counts, unread] = await Promise.all([memberCounts(ctx.db, ids), unreadCounts(ctx.db, userId, ids)]);
      return {
        rooms: inRooms.map(({ room, me }) => toMyRoom(room, counts.get(Number(room.id)) ?? 0, me, unread.get(Number(room.id)) ?? 0)),
        invitations: mine.filter((m) => m.me.state === 'invited').map(({ room, me }) => toInvitation(room, me)),
      };
    },
  },
  'rooms.memberships': {
    async read(input, _request, ctx) {
      return { rooms: await joinedRoomIds(ctx.db, input.userId) };
    },
  },
  'rooms.directory': {
    async read(input, _request, ctx) {
      const rows = await publicRooms(ctx.db, input.query, input.limit ?? DIRECTORY_PAGE);
      return { rooms: rows.map(({ row, members }) => toRoom(row, members)) };
    },
  },
  'rooms.join': {
    async write(scope, input, request) {
      const seat = await seatIn(scope.tx, input.room, request.caller!.userId);
      const state = seat.me?.state;
      if (state === 'joined') throw new PodError('conflict', `you are already in #${seat.room.name}`);
      if (state === 'banned') throw new PodError('forbidden', `you are banned from #${seat.room.name}${seat.me!.reason ? `: ${seat.me!.reason}` : ''}`);
      if (seat.room.kind === 'private' && state !== 'invited') throw new PodError('forbidden', `#${seat.room.name} is private: a moderator must invite you`);
      // Joining answers an invitation as accepting it does, on every device of the invitee.
      if (state === 'invited') await scope.emit([request.caller!.userId], 'room.invitation', { invitation: toInvitation(seat.room, seat.me!), state: 'closed' });
      return enter(scope, seat, request);
    },
  },
  'rooms.accept': {
    async write(scope, input, request) {
      const seat = await seatIn(scope.tx, input.room, request.caller!.userId);
      if (seat.me?.state === 'joined') throw new PodError('conflict', `you are already in #${seat.room.name}`);
      if (seat.me?.state !== 'invited') throw new PodError('not_found', `no invitation to #${seat.room.name}`);
      await scope.emit([request.caller!.userId], 'room.invitation', { invitation: toInvitation(seat.room, seat.me), state: 'closed' });
      return enter(scope, seat, request);
    },
  },
  'rooms.decline': {
    async write(scope, input, request) {
      const seat = await seatIn(scope.tx, input.room, request.caller!.userId);
      if (seat.me?.state !== 'invited') throw new PodError('not_found', `no invitation to #${seat.room.name}`);
      await setMemberState(scope.tx, Number(seat.room.id), request.caller!.userId, 'left', request.caller!.name, 'declined', scope.now);
      await scope.emit([request.caller!.userId], 'room.invitation', { invitation: toInvitation(seat.room, seat.me), state: 'closed' });
      return {};
    },
  },
  'rooms.leave': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const seat = await seatIn(scope.tx, input.room, caller.userId);
      const me = joined(seat);
      if (me.role === 'owner' && (await ownerCount(scope.tx, Number(seat.room.id))) === 1) {
        throw new PodError('conflict', `you are the last owner of #${seat.room.name}: hand it over first (pod room role ${seat.room.name} USER owner)`);
      }
      const row = await setMemberState(scope.tx, Number(seat.room.id), caller.userId, 'left', caller.name, '', scope.now);
      await emitMemberChange(scope, seat.room, row, 'left', caller.name);
      return {};
    },
  },
  'rooms.invite': {
    prepare: (input, _request, ctx) => lookupUser(ctx, input.user),
    async write(scope, input, request: RequestInfo & { prepared: { id: number; name: string } }) {
      const caller = request.caller!;
      const seat = await seatIn(scope.tx, input.room, caller.userId);
      if (seat.room.kind === 'private') atLeast(seat, 'moderator', 'invite people');
      else joined(seat);
      const invitee = request.prepared;
      const roomId = Number(seat.room.id);
      const target = await findMember(scope.tx, roomId, invitee.id);
      if (target?.state === 'joined') throw new PodError('conflict', `${invitee.name} is already in #${seat.room.name}`);
      if (target?.state === 'banned') throw new PodError('forbidden', `${invitee.name} is banned from #${seat.room.name}; a moderator must lift the ban first`);
      // Inviting twice changes nothing and tells the invitee nothing new.
      if (target?.state === 'invited') return {};
      const row = await putMember(scope.tx, { roomId, userId: invitee.id, name: invitee.name, role: 'member', state: 'invited', sinceOrd: 0, readOrd: 0, by: caller.name, reason: '', at: scope.now });
      await scope.emit([invitee.id], 'room.invitation', { invitation: toInvitation(seat.room, row), state: 'pending' });
      return {};
    },
  },
};
