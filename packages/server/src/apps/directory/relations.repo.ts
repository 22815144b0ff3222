import type { Kysely, Transaction } from 'kysely';
import type { DirectoryTables } from '../../store/schema.ts';

type Db = Kysely<DirectoryTables> | Transaction<DirectoryTables>;

export async function isBlocked(db: Db, ownerId: number, blockedId: number): Promise<boolean> {
  const row = await db.selectFrom('blocks').select('owner_id').where('owner_id', '=', ownerId).where('blocked_id', '=', blockedId).executeTakeFirst();
  return row !== undefined;
}

export async function isBuddy(db: Db, ownerId: number, otherId: number): Promise<boolean> {
  const row = await db
    .selectFrom('buddies')
    .select('owner_id')
    .where('owner_id', '=', ownerId)
    .where('other_id', '=', otherId)
    .where('state', '=', 'buddy')
    .executeTakeFirst();
  return row !== undefined;
}

/** Accepted buddies of a user, who are the ones allowed to see their presence. */
export async function acceptedBuddies(db: Db, userId: number): Promise<Array<{ id: number; name: string }>> {
  const rows = await db
    .selectFrom('buddies')
    .innerJoin('users', 'users.id', 'buddies.other_id')
    .select(['users.id', 'users.name'])
    .where('buddies.owner_id', '=', userId)
    .where('buddies.state', '=', 'buddy')
    .where('users.disabled', '=', 0)
    .execute();
  return rows.map((row) => ({ id: Number(row.id), name: row.name }));
}
