import type { AppContext } from '../../runtime/app.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { deleteExpired, retentionCutoff, unreadBefore } from './messages.repo.ts';
import { retractExpired } from './retraction.ts';
import { joinedIds } from './rooms.repo.ts';

const EVERY_MS = 60_000;
const BATCH = 1000;

/**
 * Deletes the messages of rooms that keep N days once they are older, and retracts the events
 * that carried them from every mailbox in the same transaction (see retractExpired). Short
 * transactions, so a large backlog never holds the store for long. Idempotent, so several
 * app-server processes may sweep one store. Answers how many messages went.
 */
export async function expireRoomMessages(ctx: Pick<AppContext<RoomsTables>, 'db' | 'write'>, now: number): Promise<number> {
  const rooms = await ctx.db.selectFrom('rooms').select(['id', 'name', 'retention_days']).where('retention_days', '>', 0).execute();
  let deleted = 0;
  for (const room of rooms) {
    const cutoff = retentionCutoff(room, now)!;
    for (;;) {
      const n = await ctx.write(async (scope) => {
        const { ids, lastOrd } = await deleteExpired(scope.tx, Number(room.id), cutoff, BATCH);
        if (ids.length === 0) return 0;
        await retractExpired(scope, ids, room.name, await joinedIds(scope.tx, Number(room.id)));
        // Whoever had not read up to what expired may have counted some of it as unread: every
        // device of theirs gets the count as it is now, live or on a later replay.
        for (const member of await unreadBefore(scope.tx, Number(room.id), lastOrd)) {
          await scope.emit([member.userId], 'room.read', { room: room.name, readOrder: member.readOrd, unread: member.unread });
        }
        return ids.length;
      });
      deleted += n;
      if (n < BATCH) break;
    }
  }
  return deleted;
}

/** Sweeps at start and then every minute; history and export hide expired messages meanwhile. */
export function startRetention(ctx: AppContext<RoomsTables>): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await expireRoomMessages(ctx, Date.now());
      if (deleted > 0) ctx.log.info({ deleted }, 'expired room messages deleted');
    } catch (error) {
      ctx.log.warn({ err: error }, 'room retention sweep failed; the next one tries again');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
