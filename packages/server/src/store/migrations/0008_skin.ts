import type { Kysely } from 'kysely';

/** The pod application's chosen skin (a JSON document, see docs/skins.md); null: the default. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('skin', 'text').execute();
}
