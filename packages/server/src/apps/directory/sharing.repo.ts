import type { Kysely, Transaction } from 'kysely';
import type { DirectoryTables } from '../../store/schema.ts';

type Db = Kysely<DirectoryTables> | Transaction<DirectoryTables>;

/** Enabled users among `names` and `ids`. */
export async function enabledUsers(db: Db, names: readonly string[], ids: readonly number[]): Promise<Array<{ id: number; name: string }>> {
  if (names.length === 0 && ids.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('disabled', '=', 0)
    .where((eb) => eb.or([...(names.length > 0 ? [eb('name', 'in', [...names])] : []), ...(ids.length > 0 ? [eb('id', 'in', [...ids])] : [])]))
    .execute();
  return rows.map((row) => ({ id: Number(row.id), name: row.name }));
}

/** Accepted, enabled buddies `ownerId` keeps in `group`. */
export async function groupMembers(db: Db, ownerId: number, group: string): Promise<Array<{ id: number; name: string }>> {
  const rows = await db
    .selectFrom('buddies')
    .innerJoin('users', 'users.id', 'buddies.other_id')
    .select(['users.id', 'users.name'])
    .where('buddies.owner_id', '=', ownerId)
    .where('buddies.group_name', '=', group)
    .where('buddies.state', '=', 'buddy')
    .where('users.disabled', '=', 0)
    .execute();
  return rows.map((row) => ({ id: Number(row.id), name: row.name }));
}

/** The (owner, group) pairs of the lists `userId` is on as an accepted buddy, where the owner is enabled. */
export async function membershipsOf(db: Db, userId: number): Promise<Array<{ ownerId: number; group: string }>> {
  const rows = await db
    .selectFrom('buddies')
    .innerJoin('users', 'users.id', 'buddies.owner_id')
    .select(['buddies.owner_id', 'buddies.group_name'])
    .where('buddies.other_id', '=', userId)
    .where('buddies.state', '=', 'buddy')
    .where('users.disabled', '=', 0)
    .execute();
  return rows.map((row) => ({ ownerId: Number(row.owner_id), group: row.group_name }));
}

export async function enabledProfiles(db: Db, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('users').select(['id', 'name', 'display_name', 'status_text', 'about']).where('id', 'in', [...ids]).where('disabled', '=', 0).execute();
}

/** A page of enabled users' ids above `after`, ascending. */
export async function enabledUserIds(db: Db, after: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('users').select('id').where('id', '>', after).where('disabled', '=', 0).orderBy('id').limit(limit).execute();
  return rows.map((row) => Number(row.id));
}
