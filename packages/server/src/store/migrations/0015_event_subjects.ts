import type { Kysely } from 'kysely';

/**
 * What a stored event is about (`room-message:<id>`), so an app can retract every event that
 * carries a message's text when the message expires or is deleted for everyone (see
 * WriteScope.retractEvents). Replies are found by the message they answer, to take its text
 * out of their quotes too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('subject', 'text').execute();
  await db.schema.createIndex('events_subject').on('events').column('subject').where('subject', 'is not', null).execute();
  await db.schema.createIndex('room_messages_reply_to').on('room_messages').column('reply_to').where('reply_to', 'is not', null).execute();
  await db.schema.createIndex('im_messages_reply_to').on('im_messages').column('reply_to').where('reply_to', 'is not', null).execute();
}
