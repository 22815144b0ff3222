import { resolve } from 'node:path';
import { PodError } from '@pod/protocol';
import type { Kysely } from 'kysely';
import { migrate } from './migrations/index.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export type { Store, StoreKind } from './store.ts';
export type { Database } from './schema.ts';

/** `sqlite:<file>` (the default, `<data>/pod.db`) or `postgres://...` (also `postgresql://`). */
export async function openStore(url: string): Promise<Store> {
  let store: Store;
  if (url.startsWith('sqlite:')) store = openSqliteStore(resolve(url.slice('sqlite:'.length)));
  else if (/^postgres(ql)?:\/\//.test(url)) store = openPostgresStore(url);
  else throw new PodError('invalid', `unsupported database URL "${redact(url)}": use sqlite:<file> or postgres://user@host/database`);
  try {
    await migrate(store.db as unknown as Kysely<unknown>, store.kind);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** A URL fit for an error message: no password. */
export function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
