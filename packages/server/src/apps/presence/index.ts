import { defineApp, type AppContext } from '../../runtime/app.ts';
import { relationsChangedPayload, topics } from '../../runtime/topics.ts';
import type { PresenceTables } from '../../store/schema.ts';
import { announce, findAudience, type Audience } from './announce.ts';
import { presenceOps } from './presence.ops.ts';
import { PresenceSweeper } from './sweep.ts';

/**
 * When users become buddies (or stop being), each is shown the other's presence as it is
 * now, without waiting for the next change. Best effort: a lost announcement leaves the new
 * buddy to the next change or presence.list.
 */
function introduceNewBuddies(ctx: AppContext<PresenceTables>): () => void {
  return ctx.onAnnouncement(topics.relationsChanged, (payload) => {
    const parsed = relationsChangedPayload.safeParse(payload);
    if (!parsed.success || parsed.data.userIds.length === 0) return;
    void (async () => {
      const audiences = new Map<number, Audience>();
      for (const userId of parsed.data.userIds) {
        const audience = await findAudience(ctx, userId);
        if (audience) audiences.set(userId, audience);
      }
      await announce(ctx, audiences);
    })();
  });
}

/** online/away/busy/offline with a text, per device with heartbeat expiry, pushed to buddies. */
export const presenceApp = defineApp<PresenceTables>({
  name: 'presence',
  ops: presenceOps,
  start: (ctx) => {
    const stopSweeper = new PresenceSweeper(ctx).start();
    const stopIntroducing = introduceNewBuddies(ctx);
    return () => {
      stopSweeper();
      stopIntroducing();
    };
  },
});
