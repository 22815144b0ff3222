import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';

/**
 * Small blobs kept in the store itself (see MAX_INLINE_FILE_BYTES): written in the transaction
 * that records them, so a small file costs one durable write. A plain rowid table on SQLite, not
 * WITHOUT ROWID: its rows are up to 256 KiB, which that layout handles badly.
 */
export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  await db.schema
    .createTable('blob_values')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('value', kind === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .execute();
}
