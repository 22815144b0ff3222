import { sql, type Kysely, type Transaction } from 'kysely';
import type { DirectoryTables } from '../../store/schema.ts';

type Db = Kysely<DirectoryTables> | Transaction<DirectoryTables>;

export interface ProfileRow {
  name: string;
  display_name: string;
  status_text: string;
  about: string;
}

export async function updateProfile(db: Db, userId: number, profile: { displayName: string; statusText: string; about: string }): Promise<void> {
  await db.updateTable('users').set({ display_name: profile.displayName, status_text: profile.statusText, about: profile.about }).where('id', '=', userId).execute();
}

/** LIKE's wildcards and the escape character itself, taken literally. */
function likeContaining(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * One page of enabled users whose name, display name or about contains `query` in any case,
 * ordered by name, after the name `after` (keyset paging). lower() on both sides and an
 * explicit ESCAPE behave alike in SQLite and PostgreSQL.
 */
export async function searchProfiles(db: Db, query: string, after: string | undefined, limit: number): Promise<ProfileRow[]> {
  let select = db.selectFrom('users').select(['name', 'display_name', 'status_text', 'about']).where('disabled', '=', 0);
  if (query !== '') {
    const pattern = likeContaining(query);
    const contains = (column: 'name' | 'display_name' | 'about') => sql<boolean>`lower(${sql.ref(column)}) like lower(${pattern}) escape '!'`;
    select = select.where((eb) => eb.or([contains('name'), contains('display_name'), contains('about')]));
  }
  if (after !== undefined) select = select.where('name', '>', after);
  return select.orderBy('name').limit(limit).execute();
}
