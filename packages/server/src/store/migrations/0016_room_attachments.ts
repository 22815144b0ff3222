import type { Kysely } from 'kysely';

/** Room messages carry file attachments (JSON), as the files app described them in files.attach. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('room_messages').addColumn('attachments', 'text').execute();
}
