import { PodError, type RoomRole } from '@pod/protocol';
import type { AppOps, RequestInfo, WriteScope } from '../../runtime/app.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { atLeast, joined, outranks, rank, seatIn, type Seat } from './access.ts';
import { emitMemberChange, toMember } from './events.ts';
import { lookupUser } from './membership.ops.ts';
import { bans, findMember, findMemberByName, joinedIds, joinedMembers, memberCounts, ownerCount, putMember, setMemberFields, setMemberState, toInvitation, toRoom, updateRoom, type MemberRow } from './rooms.repo.ts';

type Someone = { room: string; user: string };

/** The moderator acting and the member acted on, who must be in the room and below the actor. */
async function actOn(scope: WriteScope<RoomsTables>, input: Someone, request: RequestInfo, doing: string): Promise<{ seat: Seat; actor: MemberRow; target: MemberRow }> {
  const seat = await seatIn(scope.tx, input.room, request.caller!.userId);
  const actor = atLeast(seat, 'moderator', `${doing} people`);
  const target = await findMemberByName(scope.tx, Number(seat.room.id), input.user);
  if (target?.state !== 'joined') throw new PodError('not_found', `${input.user} is not in #${seat.room.name}`);
  outranks(seat, actor, target, doing);
  return { seat, actor, target };
}

async function setMuted(scope: WriteScope<RoomsTables>, input: Someone, request: RequestInfo, muted: boolean) {
  const { seat, actor, target } = await actOn(scope, input, request, muted ? 'mute' : 'unmute');
  if (Number(target.muted) === (muted ? 1 : 0)) return toMember(target);
  const row = await setMemberFields(scope.tx, Number(seat.room.id), Number(target.user_id), { muted: muted ? 1 : 0 });
  await emitMemberChange(scope, seat.room, row, muted ? 'muted' : 'unmuted', actor.user_name);
  return toMember(row);
}

export const moderationOps: AppOps<RoomsTables> = {
  'rooms.kick': {
    async write(scope, input, request) {
      const { seat, actor, target } = await actOn(scope, input, request, 'kick');
      const row = await setMemberState(scope.tx, Number(seat.room.id), Number(target.user_id), 'kicked', actor.user_name, input.reason, scope.now);
      await emitMemberChange(scope, seat.room, row, 'kicked', actor.user_name, input.reason);
      return {};
    },
  },
  'rooms.ban': {
    prepare: (input, _request, ctx) => lookupUser(ctx, input.user),
    async write(scope, input, request: RequestInfo & { prepared: { id: number; name: string } }) {
      const seat = await seatIn(scope.tx, input.room, request.caller!.userId);
      const actor = atLeast(seat, 'moderator', 'ban people');
      const user = request.prepared;
      const roomId = Number(seat.room.id);
      const target = await findMember(scope.tx, roomId, user.id);
      if (target?.state === 'banned') return {};
      if (target?.state === 'joined') outranks(seat, actor, target, 'ban');
      if (user.id === actor.user_id) throw new PodError('invalid', 'you cannot ban yourself; leave the room instead');
      const row = target
        ? await setMemberState(scope.tx, roomId, user.id, 'banned', actor.user_name, input.reason, scope.now)
        : await putMember(scope.tx, { roomId, userId: user.id, name: user.name, role: 'member', state: 'banned', sinceOrd: 0, readOrd: 0, by: actor.user_name, reason: input.reason, at: scope.now });
      // Only someone who knew of the room hears of the ban: a member, or an invitee whose invitation ends.
      if (target?.state === 'joined') await emitMemberChange(scope, seat.room, row, 'banned', actor.user_name, input.reason);
      if (target?.state === 'invited') await scope.emit([user.id], 'room.invitation', { invitation: toInvitation(seat.room, target), state: 'closed' });
      return {};
    },
  },
  'rooms.unban': {
    async write(scope, input, request) {
      const seat = await seatIn(scope.tx, input.room, request.caller!.userId);
      const actor = atLeast(seat, 'moderator', 'lift bans');
      const target = await findMemberByName(scope.tx, Number(seat.room.id), input.user);
      if (target?.state !== 'banned') throw new PodError('not_found', `${input.user} is not banned from #${seat.room.name}`);
      const row = await setMemberState(scope.tx, Number(seat.room.id), Number(target.user_id), 'left', actor.user_name, '', scope.now);
      const members = (await memberCounts(scope.tx, [Number(seat.room.id)])).get(Number(seat.room.id)) ?? 0;
      await scope.emit([...(await joinedIds(scope.tx, Number(seat.room.id))), Number(row.user_id)], 'room.member', {
        room: seat.room.name,
        name: row.user_name,
        change: 'unbanned',
        member: null,
        members,
        by: actor.user_name,
        reason: '',
      });
      return {};
    },
  },
  'rooms.mute': { write: (scope, input, request) => setMuted(scope, input, request, true) },
  'rooms.unmute': { write: (scope, input, request) => setMuted(scope, input, request, false) },
  'rooms.role': {
    async write(scope, input, request) {
      const seat = await seatIn(scope.tx, input.room, request.caller!.userId);
      const actor = atLeast(seat, 'admin', 'change roles');
      const roomId = Number(seat.room.id);
      const target = await findMemberByName(scope.tx, roomId, input.user);
      if (target?.state !== 'joined') throw new PodError('not_found', `${input.user} is not in #${seat.room.name}`);
      const role: RoomRole = input.role;
      if (actor.role !== 'owner') {
        if (target.user_id !== actor.user_id) outranks(seat, actor, target, 'change the role of');
        if (rank(role) > rank(actor.role)) throw new PodError('forbidden', `only an owner of #${seat.room.name} may make someone ${role}`);
      }
      if (target.role === role) return toMember(target);
      if (target.role === 'owner' && (await ownerCount(scope.tx, roomId)) === 1) {
        throw new PodError('conflict', `${target.user_name} is the last owner of #${seat.room.name}: make someone else owner first`);
      }
      const row = await setMemberFields(scope.tx, roomId, Number(target.user_id), { role });
      await emitMemberChange(scope, seat.room, row, 'role', actor.user_name);
      return toMember(row);
    },
  },
  'rooms.update': {
    async write(scope, input, request) {
      const seat = await seatIn(scope.tx, input.room, request.caller!.userId);
      if (input.retentionDays !== undefined) atLeast(seat, 'owner', 'change how long messages are kept');
      else atLeast(seat, 'admin', 'change its settings');
      const roomId = Number(seat.room.id);
      const room = await updateRoom(scope.tx, roomId, {
        ...(input.topic !== undefined ? { topic: input.topic } : {}),
        ...(input.kind !== undefined ? { kind: input.kind } : {}),
        ...(input.history !== undefined ? { history: input.history } : {}),
        ...(input.retentionDays !== undefined ? { retention_days: input.retentionDays ?? 0 } : {}),
      });
      const answer = toRoom(room, (await memberCounts(scope.tx, [roomId])).get(roomId) ?? 0);
      await scope.emit(await joinedIds(scope.tx, roomId), 'room.updated', answer);
      return answer;
    },
  },
  'rooms.members': {
    async read(input, request, ctx) {
      const seat = await seatIn(ctx.db, input.room, request.caller!.userId);
      const me = joined(seat);
      const rows = await joinedMembers(ctx.db, [Number(seat.room.id)]);
      const { statuses } = await ctx.call('presence.statuses', { ids: rows.map((row) => Number(row.user_id)) });
      const presence = new Map(statuses.map((s) => [s.id, s.status]));
      const members = rows.map((row) => ({ ...toMember(row), presence: presence.get(Number(row.user_id)) ?? 'offline' }));
      if (rank(me.role) < rank('moderator')) return { members };
      const banned = (await bans(ctx.db, Number(seat.room.id))).map((row) => ({ name: row.user_name, by: row.changed_by ?? '', reason: row.reason, at: row.changed_at }));
      return { members, banned };
    },
  },
};
