import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { withAutoId } from './dialect.ts';

export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  await withAutoId(db.schema.createTable('users'), kind, 'id')
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('about', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('messages_from', 'text', (c) => c.notNull().defaultTo('buddies'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  await db.schema
    .createTable('buddies')
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('other_id', 'bigint', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('buddies_pk', ['owner_id', 'other_id'])
    .execute();
  // Who has a row about a user: their display name or account state changes those rows.
  await db.schema.createIndex('buddies_other').on('buddies').column('other_id').execute();
  await db.schema
    .createTable('buddy_groups')
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('buddy_groups_pk', ['owner_id', 'name'])
    .execute();
  await db.schema
    .createTable('blocks')
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('blocked_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['owner_id', 'blocked_id'])
    .execute();
  await withAutoId(db.schema.createTable('login_failures'), kind, 'id')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_key').on('login_failures').columns(['key', 'at']).execute();
}
