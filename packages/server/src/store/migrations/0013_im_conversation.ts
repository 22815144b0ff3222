import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { withAutoId } from './dialect.ts';

/** 1:1 messages answer, change, disappear and collect reactions as room messages do. */
export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  await db.schema.alterTable('im_messages').addColumn('reply_to', 'text').execute();
  await db.schema.alterTable('im_messages').addColumn('edited_at', 'text').execute();
  await db.schema.alterTable('im_messages').addColumn('deleted_at', 'text').execute();
  await withAutoId(db.schema.createTable('im_reactions'), kind, 'id')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('emoji', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('im_reactions_one').unique().on('im_reactions').columns(['message_id', 'user_id', 'emoji']).execute();
}
