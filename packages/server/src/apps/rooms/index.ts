import { defineApp } from '../../runtime/app.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { exportOps } from './export.ops.ts';
import { membershipOps } from './membership.ops.ts';
import { messageOps } from './messages.ops.ts';
import { moderationOps } from './moderation.ops.ts';
import { showPresenceToRoommates } from './presence.ts';
import { startRetention } from './retention.ts';
import { searchOps } from './search.ops.ts';

/** Chat rooms: membership, roles and moderation, messages delivered to every member's mailbox, search, retention and export; members' presence live in member lists. */
export const roomsApp = defineApp<RoomsTables>({
  name: 'rooms',
  ops: { ...membershipOps, ...moderationOps, ...messageOps, ...searchOps, ...exportOps },
  start: (ctx) => {
    const stopRetention = startRetention(ctx);
    const stopPresence = showPresenceToRoommates(ctx);
    return () => {
      stopRetention();
      stopPresence();
    };
  },
});
