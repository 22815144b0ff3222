import type { AppContext } from '../../runtime/app.ts';
import { topics } from '../../runtime/topics.ts';
import type { ImTables } from '../../store/schema.ts';

export interface Permission {
  toId: number;
  toName: string;
}

const MAX_ENTRIES = 100_000;
/** A backstop for an announcement lost on the way (a messenger reconnect). */
const MAX_AGE_MS = 60_000;

/**
 * Remembers who may message whom, so a conversation does not ask the directory on every
 * message. Only permissions are kept, never refusals, and the whole cache is dropped whenever
 * the directory announces a change of buddies, blocks or settings. An answer that was being
 * fetched while such a change happened is used once but not kept, so it cannot outlive it.
 */
class PermissionCache {
  private entries = new Map<string, Permission & { at: number }>();
  private generation = 0;

  constructor(private readonly ctx: AppContext<ImTables>) {
    ctx.onAnnouncement(topics.relationsChanged, () => this.clear());
  }

  async check(fromId: number, to: string): Promise<Permission> {
    const key = `${fromId}>${to}`;
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached && now - cached.at < MAX_AGE_MS) return cached;
    const generation = this.generation;
    const answer = await this.ctx.call('directory.canMessage', { fromId, to });
    const permission = { toId: answer.toId, toName: answer.toName };
    if (generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries = new Map();
      this.entries.set(key, { ...permission, at: now });
    }
    return permission;
  }

  private clear(): void {
    this.generation++;
    this.entries = new Map();
  }
}

const caches = new WeakMap<AppContext<ImTables>, PermissionCache>();

/** The cache of this app instance (one per context, so pods in one process never share). */
export function permissions(ctx: AppContext<ImTables>): PermissionCache {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new PermissionCache(ctx)));
  return cache;
}
