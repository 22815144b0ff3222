import { PodError } from '@pod/protocol';
import type { AppContext, WriteScope } from '../../runtime/app.ts';
import { topics } from '../../runtime/topics.ts';
import type { PresenceTables } from '../../store/schema.ts';
import { markAnnounced, readPresence, type Presence, type PresenceState } from './presence.repo.ts';

type Ctx = AppContext<PresenceTables>;

const OFFLINE: Presence = { status: 'offline', text: '' };

/** Who is told about a user's presence: their accepted buddies, and their own devices. */
export interface Audience {
  name: string;
  watcherIds: number[];
}

/**
 * What others see of a user: offline without a live device, else the chosen status. Choosing
 * `offline` is being invisible, and an offline user shows no text.
 */
export function effectivePresence(state: PresenceState | undefined): Presence {
  if (!state?.live || state.chosen.status === 'offline') return OFFLINE;
  return state.chosen;
}

export function samePresence(a: Presence, b: Presence): boolean {
  return a.status === b.status && a.text === b.text;
}

/**
 * Asks the directory who may see the user. Outside any transaction, as cross-app calls must
 * be. A failure answers undefined: the change then stays unannounced and the sweep retries.
 */
export async function findAudience(ctx: Ctx, userId: number): Promise<Audience | undefined> {
  try {
    const { name, watchers } = await ctx.call('directory.watchers', { userId });
    return { name, watcherIds: watchers.map((w) => w.id) };
  } catch (error) {
    ctx.log.warn({ err: error, userId, code: error instanceof PodError ? error.code : undefined }, 'no presence audience; the sweep will announce later');
    return undefined;
  }
}

/**
 * Ends a write that changed a user's presence inputs (after `touchStatus`, which holds their
 * row): records what others now see as announced and, if it changed, pushes it after the
 * commit. Answers what others now see.
 */
export async function settle(scope: WriteScope<PresenceTables>, ctx: Ctx, userId: number, audience: Audience | undefined): Promise<Presence> {
  const state = (await readPresence(scope.tx, [userId], Date.parse(scope.now))).get(userId);
  const shown = effectivePresence(state);
  if (!state || !audience) return shown;
  await markAnnounced(scope.tx, userId, shown);
  if (!samePresence(shown, state.announced)) scope.afterCommit(() => void announceChanges(ctx, new Map([[userId, audience]])));
  return shown;
}

/**
 * After the commit that recorded these users' presence as announced: pushes it to their
 * audiences and tells other apps (rooms shows it to members who are not buddies), which read
 * it from the store themselves.
 */
export async function announceChanges(ctx: Ctx, audiences: ReadonlyMap<number, Audience>): Promise<void> {
  ctx.announce(topics.presenceChanged, { userIds: [...audiences.keys()] });
  await announce(ctx, audiences);
}

/**
 * Pushes each user's presence to their audience, as read now, after the commit that
 * announced it: when two writers race, each pushes the latest state, so the last push a
 * watcher gets is never older than the store. A duplicate push is harmless.
 */
export async function announce(ctx: Ctx, audiences: ReadonlyMap<number, Audience>): Promise<void> {
  try {
    const states = await readPresence(ctx.db, [...audiences.keys()], Date.now());
    for (const [userId, audience] of audiences) {
      ctx.push([...audience.watcherIds, userId], 'presence', { name: audience.name, ...effectivePresence(states.get(userId)) });
    }
  } catch (error) {
    ctx.log.warn({ err: error }, 'presence push failed; watchers see the change at their next presence.list');
  }
}
