import type { AppContext } from '../../runtime/app.ts';
import { presenceChangedPayload, topics } from '../../runtime/topics.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { roommates } from './rooms.repo.ts';

// Users per query: a sweep announces up to a few hundred at once, and each may share big rooms.
const CHUNK = 50;

/**
 * Keeps member lists live: presence tells only buddies, so when presence announces that what
 * others see of some users changed, their roommates' connected devices are told too. Nothing
 * is stored (the status is read from presence, which holds the truth, and a member list
 * fetched later shows it anyway); each rooms process that hears the announcement pushes, and
 * a duplicate push is harmless.
 */
export function showPresenceToRoommates(ctx: AppContext<RoomsTables>): () => void {
  return ctx.onAnnouncement(topics.presenceChanged, (payload) => {
    const parsed = presenceChangedPayload.safeParse(payload);
    if (!parsed.success) return;
    void push(ctx, parsed.data.userIds).catch((error: unknown) => ctx.log.warn({ err: error }, 'room presence push failed; member lists catch up when next fetched'));
  });
}

async function push(ctx: AppContext<RoomsTables>, userIds: number[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const found = await roommates(ctx.db, userIds.slice(i, i + CHUNK));
    if (found.size === 0) continue;
    const { statuses } = await ctx.call('presence.statuses', { ids: [...found.keys()] });
    for (const { id, status } of statuses) {
      const { name, others } = found.get(id)!;
      ctx.push(others, 'room.presence', { name, status });
    }
  }
}
