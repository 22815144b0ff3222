import type { Kysely } from 'kysely';

/**
 * An upload whose chunks all came in one chunk batch, in order, gets the SHA-256 the gateway
 * computed over them while storing them: its commit checks the file's hash against that
 * instead of reading every chunk back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('files_uploads').addColumn('streamed_hash', 'text').execute();
}
