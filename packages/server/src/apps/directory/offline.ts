import { PodError } from '@pod/protocol';
import { userName, password as passwordSchema } from '@pod/protocol';
import type { Kysely } from 'kysely';
import { openStore, type Store } from '../../store/index.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { findUserByName, insertUser } from './accounts.repo.ts';
import { hashPassword } from './passwords.ts';

/**
 * Creates an account straight in the store, for `pod user create` on the server's machine,
 * whether the server runs or not (SQLite's WAL lets both write; the busy timeout waits its turn).
 */
export async function createUserOffline(target: string | Store, input: { name: string; password: string; admin: boolean }): Promise<{ name: string; admin: boolean }> {
  const name = userName.safeParse(input.name);
  if (!name.success) throw new PodError('invalid', `invalid name: ${name.error.issues[0]!.message}`);
  const pw = passwordSchema.safeParse(input.password);
  if (!pw.success) throw new PodError('invalid', `invalid password: ${pw.error.issues[0]!.message}`);
  const passwordHash = await hashPassword(pw.data);
  // Opening a store checks its migrations, which on a busy PostgreSQL costs more than the
  // insert: callers creating many accounts pass one open store.
  const store = typeof target === 'string' ? await openStore(target) : target;
  try {
    const db = store.db as unknown as Kysely<DirectoryTables>;
    return await db.transaction().execute(async (tx) => {
      if (await findUserByName(tx, name.data)) throw new PodError('conflict', `the name ${name.data} is taken`);
      await insertUser(tx, { name: name.data, passwordHash, admin: input.admin, now: new Date().toISOString() });
      return { name: name.data, admin: input.admin };
    });
  } finally {
    if (typeof target === 'string') await store.close();
  }
}
