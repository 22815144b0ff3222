import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { withAutoId } from './dialect.ts';

export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  // Grants on items: to one user (grantee_id), to a group of the owner's buddies (grantee_name,
  // members resolved by the directory when access is checked), or to everyone signed in
  // ('public': published). A grant on a folder covers everything inside it. Names never
  // change, so owner_name lets "~owner/path" be resolved without asking the directory.
  await withAutoId(db.schema.createTable('files_shares'), kind, 'id')
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('owner_name', 'text', (c) => c.notNull())
    .addColumn('node_id', 'bigint', (c) => c.notNull())
    .addColumn('grantee_kind', 'text', (c) => c.notNull())
    .addColumn('grantee_id', 'bigint', (c) => c.notNull())
    .addColumn('grantee_name', 'text', (c) => c.notNull())
    .addColumn('access', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_shares_grant').unique().on('files_shares').columns(['node_id', 'grantee_kind', 'grantee_id', 'grantee_name']).execute();
  await db.schema.createIndex('files_shares_grantee').on('files_shares').columns(['grantee_kind', 'grantee_id', 'id']).execute();
  await db.schema.createIndex('files_shares_owner').on('files_shares').columns(['owner_id', 'grantee_kind']).execute();
  await db.schema.createIndex('files_shares_owner_name').on('files_shares').columns(['owner_name']).execute();

  // Links: only the token's SHA-256 is kept (a token has 256 bits of randomness, so a fast
  // hash is enough), and only an argon2id hash of a password.
  await withAutoId(db.schema.createTable('files_links'), kind, 'id')
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('node_id', 'bigint', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_links_owner').on('files_links').columns(['owner_id', 'id']).execute();
}
