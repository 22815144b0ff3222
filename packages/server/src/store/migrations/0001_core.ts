import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { clustered, withAutoId } from './dialect.ts';

export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  await withAutoId(db.schema.createTable('events'), kind, 'id')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await clustered(
    db.schema
      .createTable('mailbox')
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('event_id', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('mailbox_pk', ['user_id', 'seq']),
    kind,
  ).execute();
  await clustered(
    db.schema
      .createTable('mailbox_heads')
      .addColumn('user_id', 'bigint', (c) => c.primaryKey())
      .addColumn('last_seq', 'bigint', (c) => c.notNull()),
    kind,
  ).execute();
  await db.schema
    .createTable('cursors')
    .addColumn('session', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('acked_seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await clustered(
    db.schema
      .createTable('requests')
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('op', 'text', (c) => c.notNull())
      .addColumn('answer', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('requests_pk', ['user_id', 'id']),
    kind,
  ).execute();
}
