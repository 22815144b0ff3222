import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DirectoryTables } from '../../store/schema.ts';

type Db = Kysely<DirectoryTables> | Transaction<DirectoryTables>;

/** A users row with its id as a number (PostgreSQL returns bigints as strings). */
export type UserRow = Omit<Selectable<DirectoryTables['users']>, 'id'> & { id: number };

export async function findUserByName(db: Db, name: string): Promise<UserRow | undefined> {
  const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export async function insertUser(db: Db, user: { name: string; passwordHash: string; admin: boolean; now: string }): Promise<number> {
  const { id } = await db
    .insertInto('users')
    .values({ name: user.name, password_hash: user.passwordHash, admin: user.admin ? 1 : 0, disabled: 0, display_name: user.name, status_text: '', about: '', messages_from: 'buddies', created_at: user.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(id);
}

export async function setSkin(db: Db, userId: number, skin: string | null): Promise<void> {
  await db.updateTable('users').set({ skin }).where('id', '=', userId).execute();
}

export async function anyAccount(db: Db): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('name').execute();
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export async function setDisabled(db: Db, userId: number, disabled: boolean): Promise<void> {
  await db.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', userId).execute();
}

export async function setPasswordHash(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

export async function insertSession(db: Db, session: { id: string; userId: number; tokenHash: string; device: string; now: string }): Promise<void> {
  await db
    .insertInto('sessions')
    .values({ id: session.id, user_id: session.userId, token_hash: session.tokenHash, device: session.device, created_at: session.now, last_seen_at: session.now, revoked_at: null })
    .execute();
}

export async function findLiveSession(db: Db, tokenHash: string) {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id as session', 'sessions.last_seen_at', 'users.id as userId', 'users.name', 'users.admin'])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.revoked_at', 'is', null)
    .where('users.disabled', '=', 0)
    .executeTakeFirst();
  return row ? { ...row, userId: Number(row.userId) } : undefined;
}

export async function touchSession(db: Db, session: string, now: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', session).execute();
}

export async function listSessions(db: Db, userId: number) {
  return db
    .selectFrom('sessions')
    .select(['id', 'device', 'created_at', 'last_seen_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

/** Revokes the user's live sessions (all, one, or all but one); answers which were revoked. */
export async function revokeSessions(db: Db, userId: number, now: string, which: { only?: string; except?: string } = {}): Promise<string[]> {
  let query = db.selectFrom('sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (which.only !== undefined) query = query.where('id', '=', which.only);
  if (which.except !== undefined) query = query.where('id', '!=', which.except);
  const ids = (await query.execute()).map((row) => row.id);
  if (ids.length > 0) await db.updateTable('sessions').set({ revoked_at: now }).where('id', 'in', ids).execute();
  return ids;
}

export async function countFailures(db: Db, key: string, since: number): Promise<{ count: number; last: number }> {
  const row = await db
    .selectFrom('login_failures')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('at').as('last')])
    .where('key', '=', key)
    .where('at', '>', since)
    .executeTakeFirst();
  return { count: Number(row?.count ?? 0), last: Number(row?.last ?? 0) };
}

export async function recordFailure(db: Db, keys: string[], at: number): Promise<void> {
  await db.insertInto('login_failures').values(keys.map((key) => ({ key, at }))).execute();
}

export async function clearFailures(db: Db, key: string, before: number): Promise<void> {
  await db.deleteFrom('login_failures').where((eb) => eb.or([eb('key', '=', key), eb('at', '<', before)])).execute();
}

export async function setMessagesFrom(db: Db, userId: number, policy: string): Promise<void> {
  await db.updateTable('users').set({ messages_from: policy }).where('id', '=', userId).execute();
}
