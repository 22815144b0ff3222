import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { withAutoId } from './dialect.ts';

export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  await withAutoId(db.schema.createTable('im_messages'), kind, 'ord')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('conv', 'text', (c) => c.notNull())
    .addColumn('sender_id', 'bigint', (c) => c.notNull())
    .addColumn('recipient_id', 'bigint', (c) => c.notNull())
    .addColumn('sender_name', 'text', (c) => c.notNull())
    .addColumn('recipient_name', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('read_at', 'text')
    .execute();
  await db.schema.createIndex('im_messages_conv').on('im_messages').columns(['conv', 'ord']).execute();
  await db.schema.createIndex('im_messages_recipient_unread').on('im_messages').columns(['recipient_id', 'read_at']).execute();
}
