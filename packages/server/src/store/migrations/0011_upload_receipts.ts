import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';

/**
 * Each upload gets a secret only the server knows, which keys the proof a chunk PUT answers:
 * the commit records the chunks sent, so the PUT itself writes nothing. Uploads open when
 * this runs get one too.
 */
export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  await db.schema.alterTable('files_uploads').addColumn('receipt_key', 'text', (c) => c.notNull().defaultTo('')).execute();
  // SQLite cannot drop a column default; it is never used, since every upload is made with its key.
  if (kind === 'postgres') await sql`alter table files_uploads alter column receipt_key drop default`.execute(db);
  const open = await sql<{ id: string }>`select id from files_uploads`.execute(db);
  for (const { id } of open.rows) await sql`update files_uploads set receipt_key = ${randomBytes(32).toString('hex')} where id = ${id}`.execute(db);
}
