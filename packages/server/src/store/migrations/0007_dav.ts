import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { clustered } from './dialect.ts';

export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  // Per-device passwords for WebDAV and other non-interactive clients (directory app). Only a
  // SHA-256 of each is kept: they are 256-bit random, so a fast digest is as safe as argon2.
  await db.schema
    .createTable('app_passwords')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('app_passwords_user').on('app_passwords').column('user_id').execute();

  // WebDAV locks (files app), by the path they were taken on: RFC 4918 locks name URLs, and a
  // lock taken on an unmapped URL names no item yet. `depth` is 0 or -1 (infinity).
  await db.schema
    .createTable('files_dav_locks')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_dav_locks_user').on('files_dav_locks').columns(['user_id', 'expires_at']).execute();

  // WebDAV dead properties (files app), by item, so they follow a move and stay with an item
  // in the trash; node 0 is the user's root folder.
  await clustered(
    db.schema
      .createTable('files_dav_props')
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('node_id', 'bigint', (c) => c.notNull())
      .addColumn('ns', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('files_dav_props_pk', ['user_id', 'node_id', 'ns', 'name']),
    kind,
  ).execute();
}
