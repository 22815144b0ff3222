import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * The store is the truth. One Kysely handle per process; every write that answers a client
 * happens inside `transaction`, and nothing is published before it commits.
 */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
