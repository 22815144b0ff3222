import type { AppContext } from '../../runtime/app.ts';
import { presenceChangedPayload, topics } from '../../runtime/topics.ts';
import type { RoomsTables } from '../../store/schema.ts';

/**
 * Keeps member lists live: when the presence app announces that what others see of someone
 * changed, their fellow members in every room get a transient `room.presence` (the status
 * only; the text stays for buddies). A missed announcement costs only freshness: the member
 * list answers presence as it is when fetched.
 */
export function relayPresence(ctx: AppContext<RoomsTables>): () => void {
  return ctx.onAnnouncement(topics.presenceChanged, (payload) => {
    const parsed = presenceChangedPayload.safeParse(payload);
    if (!parsed.success) return;
    void (async () => {
      for (const user of parsed.data.users) {
        const rows = await ctx.db
          .selectFrom('room_members as me')
          .innerJoin('room_members as other', 'other.room_id', 'me.room_id')
          .select('other.user_id')
          .distinct()
          .where('me.user_id', '=', user.userId)
          .where('me.state', '=', 'joined')
          .where('other.state', '=', 'joined')
          .where('other.user_id', '<>', user.userId)
          .execute();
        if (rows.length > 0) ctx.push(rows.map((row) => Number(row.user_id)), 'room.presence', { name: user.name, status: user.status });
      }
    })().catch((error: unknown) => ctx.log.warn({ err: error }, 'room presence relay failed; members see it at their next member list'));
  });
}
