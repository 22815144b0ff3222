import type { Kysely } from 'kysely';

/**
 * An upload whose chunks all came in one chunk batch, in order, gets the SHA-256 the gateway
 * computed over them while storing them; and a commit finds the hash of content stored before
 * by its manifest alone. Either way the commit need not read every chunk back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('files_uploads').addColumn('streamed_hash', 'text').execute();
  await db.schema.createIndex('files_versions_manifest').on('files_versions').columns(['manifest']).execute();
}
