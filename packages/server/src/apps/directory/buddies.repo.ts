import { compareNames, type BuddyEntry } from '@pod/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { DirectoryTables } from '../../store/schema.ts';

type Db = Kysely<DirectoryTables> | Transaction<DirectoryTables>;
export type BuddyState = BuddyEntry['state'];

/** The group a row lands in when its owner names none. */
export const DEFAULT_GROUP = 'Buddies';

/** One buddy-list row: `ownerId`'s view of the user `otherId`. */
export interface BuddyRow {
  ownerId: number;
  otherId: number;
  group: string;
  state: BuddyState;
  /** The other user's name and display name, as the owner's list shows them. */
  name: string;
  displayName: string;
  /** A disabled account's rows are kept, hidden from lists, until it is enabled again. */
  hidden: boolean;
}

export function toEntry(row: Pick<BuddyRow, 'name' | 'displayName' | 'group' | 'state'>): BuddyEntry {
  return { name: row.name, displayName: row.displayName, group: row.group, state: row.state };
}

function rowsQuery(db: Db) {
  return db
    .selectFrom('buddies')
    .innerJoin('users', 'users.id', 'buddies.other_id')
    .select(['buddies.owner_id', 'buddies.other_id', 'buddies.group_name', 'buddies.state', 'users.name', 'users.display_name', 'users.disabled']);
}

type RawRow = { owner_id: number; other_id: number; group_name: string; state: string; name: string; display_name: string; disabled: number };

function toRow(raw: RawRow): BuddyRow {
  return {
    ownerId: Number(raw.owner_id),
    otherId: Number(raw.other_id),
    group: raw.group_name,
    state: raw.state as BuddyState,
    name: raw.name,
    displayName: raw.display_name,
    hidden: Number(raw.disabled) === 1,
  };
}

export async function findRow(db: Db, ownerId: number, otherId: number): Promise<BuddyRow | undefined> {
  const raw = await rowsQuery(db).where('buddies.owner_id', '=', ownerId).where('buddies.other_id', '=', otherId).executeTakeFirst();
  return raw ? toRow(raw) : undefined;
}

/** A user's visible buddy list, by name. */
export async function listRows(db: Db, ownerId: number): Promise<BuddyRow[]> {
  const raws = await rowsQuery(db).where('buddies.owner_id', '=', ownerId).where('users.disabled', '=', 0).execute();
  return raws.map(toRow).sort((a, b) => compareNames(a.name, b.name));
}

/** Every row other users keep about `otherId`, hidden or not: the lists a change of that user touches. */
export async function rowsAbout(db: Db, otherId: number): Promise<BuddyRow[]> {
  const raws = await rowsQuery(db).where('buddies.other_id', '=', otherId).execute();
  return raws.map(toRow);
}

export async function rowsInGroup(db: Db, ownerId: number, group: string): Promise<BuddyRow[]> {
  const raws = await rowsQuery(db).where('buddies.owner_id', '=', ownerId).where('buddies.group_name', '=', group).execute();
  return raws.map(toRow);
}

export async function insertRow(db: Db, row: { ownerId: number; otherId: number; group: string; state: BuddyState; now: string }): Promise<void> {
  await db.insertInto('buddies').values({ owner_id: row.ownerId, other_id: row.otherId, group_name: row.group, state: row.state, created_at: row.now }).execute();
}

export async function updateRow(db: Db, ownerId: number, otherId: number, changes: { group?: string; state?: BuddyState }): Promise<void> {
  await db
    .updateTable('buddies')
    .set({ ...(changes.group !== undefined && { group_name: changes.group }), ...(changes.state !== undefined && { state: changes.state }) })
    .where('owner_id', '=', ownerId)
    .where('other_id', '=', otherId)
    .execute();
}

/** Deletes the rows between two users, both ways. */
export async function deletePair(db: Db, a: number, b: number): Promise<void> {
  await db
    .deleteFrom('buddies')
    .where((eb) => eb.or([eb.and([eb('owner_id', '=', a), eb('other_id', '=', b)]), eb.and([eb('owner_id', '=', b), eb('other_id', '=', a)])]))
    .execute();
}

/**
 * Each owner's groups: the ones they named (kept while empty) and the ones their visible rows
 * use, sorted. For many owners at once, since one change can touch many lists.
 */
export async function groupsOf(db: Db, ownerIds: readonly number[]): Promise<Map<number, string[]>> {
  if (ownerIds.length === 0) return new Map();
  const groups = new Map<number, Set<string>>(ownerIds.map((id) => [id, new Set()]));
  const named = await db.selectFrom('buddy_groups').select(['owner_id', 'name']).where('owner_id', 'in', ownerIds).execute();
  const used = await db
    .selectFrom('buddies')
    .innerJoin('users', 'users.id', 'buddies.other_id')
    .select(['buddies.owner_id', 'buddies.group_name as name'])
    .distinct()
    .where('buddies.owner_id', 'in', ownerIds)
    .where('users.disabled', '=', 0)
    .execute();
  for (const row of [...named, ...used]) groups.get(Number(row.owner_id))?.add(row.name);
  return new Map([...groups].map(([id, names]) => [id, [...names].sort(compareNames)]));
}

/** Records a group its owner named, so it stays on their list while empty. */
export async function keepGroup(db: Db, ownerId: number, name: string): Promise<void> {
  await db.insertInto('buddy_groups').values({ owner_id: ownerId, name }).onConflict((oc) => oc.columns(['owner_id', 'name']).doNothing()).execute();
}

/** Moves every row of group `from` into `to` (merging when `to` exists) and renames the named group. */
export async function renameGroup(db: Db, ownerId: number, from: string, to: string): Promise<void> {
  await db.updateTable('buddies').set({ group_name: to }).where('owner_id', '=', ownerId).where('group_name', '=', from).execute();
  await db.deleteFrom('buddy_groups').where('owner_id', '=', ownerId).where('name', '=', from).execute();
  await keepGroup(db, ownerId, to);
}

export async function addBlock(db: Db, ownerId: number, blockedId: number): Promise<void> {
  await db.insertInto('blocks').values({ owner_id: ownerId, blocked_id: blockedId }).execute();
}

export async function removeBlock(db: Db, ownerId: number, blockedId: number): Promise<void> {
  await db.deleteFrom('blocks').where('owner_id', '=', ownerId).where('blocked_id', '=', blockedId).execute();
}

/** The names a user blocked, sorted; disabled accounts included, so they can still be unblocked. */
export async function blockedNames(db: Db, ownerId: number): Promise<string[]> {
  const rows = await db.selectFrom('blocks').innerJoin('users', 'users.id', 'blocks.blocked_id').select('users.name').where('blocks.owner_id', '=', ownerId).execute();
  return rows.map((row) => row.name).sort(compareNames);
}
