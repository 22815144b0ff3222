import type { Kysely, Transaction } from 'kysely';
import type { DirectoryTables } from '../../store/schema.ts';

type Db = Kysely<DirectoryTables> | Transaction<DirectoryTables>;

export async function insertAppPassword(db: Db, row: { id: string; userId: number; secretHash: string; label: string; now: string }): Promise<void> {
  await db.insertInto('app_passwords').values({ id: row.id, user_id: row.userId, secret_hash: row.secretHash, label: row.label, created_at: row.now, last_used_at: null }).execute();
}

export async function listAppPasswords(db: Db, userId: number) {
  return db.selectFrom('app_passwords').select(['id', 'label', 'created_at', 'last_used_at']).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
}

export async function countAppPasswords(db: Db, userId: number): Promise<number> {
  const row = await db.selectFrom('app_passwords').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function deleteAppPassword(db: Db, userId: number, id: string): Promise<boolean> {
  const result = await db.deleteFrom('app_passwords').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The live account an app password belongs to, by the password's digest and the account's name. */
export async function findByAppPassword(db: Db, name: string, secretHash: string) {
  const row = await db
    .selectFrom('app_passwords')
    .innerJoin('users', 'users.id', 'app_passwords.user_id')
    .select(['app_passwords.id', 'app_passwords.last_used_at', 'users.id as userId', 'users.name', 'users.admin'])
    .where('app_passwords.secret_hash', '=', secretHash)
    .where('users.name', '=', name)
    .where('users.disabled', '=', 0)
    .executeTakeFirst();
  return row ? { ...row, userId: Number(row.userId) } : undefined;
}

export async function touchAppPassword(db: Db, id: string, now: string): Promise<void> {
  await db.updateTable('app_passwords').set({ last_used_at: now }).where('id', '=', id).execute();
}
