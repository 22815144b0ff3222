import type { RoomMessage } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { atLeast, seatIn } from './access.ts';
import { toMember } from './events.ts';
import { allMessages, present, retentionCutoff } from './messages.repo.ts';
import { joinedMembers, toRoom } from './rooms.repo.ts';

const PAGE = 500;

export const exportOps: AppOps<RoomsTables> = {
  'rooms.export': {
    async read(input, request, ctx) {
      const seat = await seatIn(ctx.db, input.room, request.caller!.userId);
      atLeast(seat, 'owner', 'export its history');
      const roomId = Number(seat.room.id);
      const members = await joinedMembers(ctx.db, [roomId]);
      const messages: RoomMessage[] = [];
      for await (const rows of allMessages(ctx.db, roomId, retentionCutoff(seat.room, Date.now()), PAGE)) messages.push(...(await present(ctx.db, rows, seat.room.name)));
      return { room: toRoom(seat.room, members.length), exportedAt: new Date().toISOString(), members: members.map(toMember), messages };
    },
  },
};
