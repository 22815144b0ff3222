import type { BuddyEntry } from '@pod/protocol';
import type { WriteScope } from '../../runtime/app.ts';
import { topics } from '../../runtime/topics.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { findRow, groupsOf, rowsAbout, toEntry } from './buddies.repo.ts';

/**
 * Collects one request's changes to buddy lists and emits them as events, so that every
 * operation reports them the same way and a client applying the events holds exactly what a
 * fresh `buddies.list` answers. Groups are compared before and after rather than reasoned
 * about per operation: a group appears when first used and vanishes with its last row unless
 * its owner named it.
 */
export class BuddyChanges {
  private readonly events: Array<() => Promise<void>> = [];
  private readonly related = new Set<number>();

  private constructor(
    private readonly scope: WriteScope<DirectoryTables>,
    private readonly groupsBefore: Map<number, string[]>,
  ) {}

  /** Starts collecting; `owners` are the users whose groups this request may change. */
  static async begin(scope: WriteScope<DirectoryTables>, owners: readonly number[]): Promise<BuddyChanges> {
    return new BuddyChanges(scope, await groupsOf(scope.tx, [...new Set(owners)]));
  }

  /** `ownerId`'s row about `name` is now `entry`, or gone (null). */
  entry(ownerId: number, name: string, entry: BuddyEntry | null): void {
    this.events.push(() => this.scope.emit([ownerId], 'buddy.entry', { name, entry }));
  }

  /** Reports `ownerId`'s row about `otherId` as it now stands; answers the entry (null when gone). */
  async row(ownerId: number, otherId: number, name: string): Promise<BuddyEntry | null> {
    const row = await findRow(this.scope.tx, ownerId, otherId);
    const entry = row ? toEntry(row) : null;
    this.entry(ownerId, name, entry);
    return entry;
  }

  /** Who may message or see whom changed for these users (buddies made or ended, blocks, accounts). */
  relationsChanged(...userIds: number[]): void {
    for (const userId of userIds) this.related.add(userId);
  }

  blocked(ownerId: number, name: string, blocked: boolean): void {
    this.events.push(() => this.scope.emit([ownerId], 'buddy.blocked', { name, blocked }));
  }

  /** Appends the collected events to the owners' mailboxes; call after the last change. */
  async emit(): Promise<void> {
    if (this.related.size > 0) this.scope.announce(topics.relationsChanged, { userIds: [...this.related] });
    for (const event of this.events) await event();
    const after = await groupsOf(this.scope.tx, [...this.groupsBefore.keys()]);
    for (const [ownerId, before] of this.groupsBefore) {
      const groups = after.get(ownerId) ?? [];
      if (groups.length !== before.length || groups.some((name, i) => name !== before[i])) await this.scope.emit([ownerId], 'buddy.groups', { groups });
    }
  }
}

/**
 * Runs a change to one user that others' lists show (display name, account disabled or
 * enabled), then tells each user whose list has a row about them how that row now looks.
 */
export async function updateUserInLists(scope: WriteScope<DirectoryTables>, userId: number, change: () => Promise<void>, relations: 'relations changed' | 'relations kept'): Promise<void> {
  const owners = (await rowsAbout(scope.tx, userId)).map((row) => row.ownerId);
  const changes = await BuddyChanges.begin(scope, owners);
  if (relations === 'relations changed') changes.relationsChanged(userId, ...owners);
  await change();
  for (const row of await rowsAbout(scope.tx, userId)) changes.entry(row.ownerId, row.name, row.hidden ? null : toEntry(row));
  await changes.emit();
}
