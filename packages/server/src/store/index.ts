import { resolve } from 'node:path';
import { PodError } from '@pod/protocol';
import type { Kysely } from 'kysely';
import { migrate } from './migrations/index.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export type { Store, StoreKind } from './store.ts';
export type { Database } from './schema.ts';

/** `sqlite:<file>` (the default, `<data>/pod.db`); PostgreSQL arrives with its driver. */
export async function openStore(url: string): Promise<Store> {
  if (!url.startsWith('sqlite:')) {
    throw new PodError('invalid', `unsupported database URL "${url.replace(/\/\/[^@]*@/, '//***@')}": use sqlite:<file>`);
  }
  const store = openSqliteStore(resolve(url.slice('sqlite:'.length)));
  await migrate(store.db as unknown as Kysely<unknown>, store.kind);
  return store;
}
