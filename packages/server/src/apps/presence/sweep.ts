import type { AppContext } from '../../runtime/app.ts';
import type { PresenceTables } from '../../store/schema.ts';
import { announceChanges, effectivePresence, findAudience, samePresence, type Audience } from './announce.ts';
import { deleteExpiredDevices, markAnnounced, readPresence, touchStatus, unannouncedUsers, usersWithExpiredDevices } from './presence.repo.ts';

const PAGE = 200;

/**
 * The presence sweep: deletes devices whose grace ran out or whose gateway stopped
 * refreshing them, then announces every change still unannounced (those expiries, devices
 * a refresh brought back, writes that could not reach the directory). It works from the
 * store alone, so several app-server processes may sweep one store: a write that lands
 * between reading a user and announcing them bumps their revision, and the announcement of
 * the stale read is then refused and retried.
 */
export class PresenceSweeper {
  private running = false;
  private stopped = false;

  constructor(private readonly ctx: AppContext<PresenceTables>) {}

  /** Sweeps every quarter of the grace, so an expiry is announced soon after it happens. */
  start(): () => void {
    const everyMs = Math.min(5000, Math.max(100, this.ctx.settings.presenceGraceMs / 4));
    const timer = setInterval(() => void this.tick(), everyMs);
    timer.unref();
    return () => {
      this.stopped = true;
      clearInterval(timer);
    };
  }

  private async tick(): Promise<void> {
    // A slow sweep is not overlapped by the next tick; the next one picks up what remains.
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      await this.expire(Date.now());
      await this.announceChanges();
    } catch (error) {
      // Stopping closes the store under a sweep in flight; that is not worth a warning.
      if (!this.stopped) this.ctx.log.warn({ err: error }, 'presence sweep failed; the next one retries');
    } finally {
      this.running = false;
    }
  }

  private async expire(now: number): Promise<void> {
    for (;;) {
      const users = await usersWithExpiredDevices(this.ctx.db, now, PAGE);
      if (users.length === 0) return;
      await this.ctx.db.transaction().execute(async (tx) => {
        await touchStatus(tx, users);
        await deleteExpiredDevices(tx, users, now);
      });
      if (users.length < PAGE) return;
    }
  }

  private async announceChanges(): Promise<void> {
    let after = 0;
    for (;;) {
      const users = await unannouncedUsers(this.ctx.db, after, PAGE);
      if (users.length === 0 || this.stopped) return;
      await this.announcePage(users);
      if (users.length < PAGE) return;
      after = users[users.length - 1]!;
    }
  }

  private async announcePage(userIds: number[]): Promise<void> {
    const states = [...(await readPresence(this.ctx.db, userIds, Date.now())).values()];
    const changed = new Set(states.filter((state) => !samePresence(effectivePresence(state), state.announced)));
    // A user whose audience is unknown (the directory failed) stays unannounced until a later sweep.
    const audiences = new Map<number, Audience>();
    await Promise.all(
      [...changed].map(async (state) => {
        const audience = await findAudience(this.ctx, state.userId);
        if (audience) audiences.set(state.userId, audience);
      }),
    );
    const recorded = new Map<number, Audience>();
    await this.ctx.db.transaction().execute(async (tx) => {
      for (const state of states) {
        const isChange = changed.has(state);
        if (isChange && !audiences.has(state.userId)) continue;
        const won = await markAnnounced(tx, state.userId, effectivePresence(state), state.revision);
        if (won && isChange) recorded.set(state.userId, audiences.get(state.userId)!);
      }
    });
    if (recorded.size > 0) await announceChanges(this.ctx, recorded);
  }
}
