import { sql, type Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { bytewiseText, clustered, withAutoId } from './dialect.ts';

export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  // Files and folders. Items of the root folder have parent_id 0 (there is no root row), so
  // the unique name index covers them too. `trashed_at` marks the top of a trashed subtree;
  // `trash_root` marks every item of it (the top included) with the top's id.
  await withAutoId(db.schema.createTable('files_nodes'), kind, 'id')
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('parent_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', bytewiseText(kind))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('hash', 'text')
    .addColumn('version_id', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .addColumn('trashed_at', 'text')
    .addColumn('trash_root', 'bigint')
    .execute();
  // One live item per name in a folder; a trashed top leaves its name free for a new item.
  await db.schema
    .createIndex('files_nodes_name')
    .unique()
    .on('files_nodes')
    .columns(['user_id', 'parent_id', 'name'])
    .where(sql.ref('trashed_at'), 'is', null)
    .execute();
  await db.schema.createIndex('files_nodes_parent').on('files_nodes').columns(['parent_id']).execute();
  await db.schema.createIndex('files_nodes_trash').on('files_nodes').columns(['user_id', 'trash_root']).execute();

  // Every version of a file, the current one included (files_nodes.version_id).
  await withAutoId(db.schema.createTable('files_versions'), kind, 'id')
    .addColumn('node_id', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    // SHA-256 of the manifest's "hash size" lines: the same content cut the same way.
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('chunk_count', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_versions_node').on('files_versions').columns(['node_id', 'id']).execute();
  await db.schema.createIndex('files_versions_user').on('files_versions').columns(['user_id']).execute();
  await db.schema.createIndex('files_versions_content').on('files_versions').columns(['hash', 'manifest']).execute();

  // A version's manifest: its chunks in order. Each row holds one reference on its chunk.
  await clustered(
    db.schema
      .createTable('files_version_chunks')
      .addColumn('version_id', 'bigint', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('byte_start', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('files_version_chunks_pk', ['version_id', 'idx']),
    kind,
  ).execute();

  // Every chunk whose bytes are in the blob store. `refs` counts the manifest rows naming it,
  // changed in the transaction that adds or removes them. `state` 'deleting' while the
  // collector removes its blob, 'damaged' once its stored bytes failed their hash: it counts as
  // absent then, so uploads send it (again).
  await clustered(
    db.schema
      .createTable('files_chunks')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('stored_size', 'bigint', (c) => c.notNull())
      .addColumn('refs', 'bigint', (c) => c.notNull())
      .addColumn('touched_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull()),
    kind,
  ).execute();
  await db.schema.createIndex('files_chunks_collectable').on('files_chunks').columns(['refs', 'touched_at']).execute();

  // Chunks each user has shown they hold: uploaded, or proven. Only these may enter their manifests.
  await clustered(
    db.schema
      .createTable('files_chunk_owners')
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('files_chunk_owners_pk', ['user_id', 'hash']),
    kind,
  ).execute();
  await db.schema.createIndex('files_chunk_owners_hash').on('files_chunk_owners').columns(['hash']).execute();

  await db.schema
    .createTable('files_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('chunk_count', 'bigint', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('overwrite', 'integer', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_uploads_user').on('files_uploads').columns(['user_id', 'path']).execute();
  await db.schema.createIndex('files_uploads_expiry').on('files_uploads').columns(['expires_at']).execute();
  // An open upload's manifest; its chunks are protected from collection until it expires.
  await clustered(
    db.schema
      .createTable('files_upload_chunks')
      .addColumn('upload_id', 'text', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('byte_start', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('files_upload_chunks_pk', ['upload_id', 'idx']),
    kind,
  ).execute();
  await db.schema.createIndex('files_upload_chunks_hash').on('files_upload_chunks').columns(['hash']).execute();

  // Logical bytes each user keeps (current, earlier versions, trash): what the quota limits.
  await db.schema
    .createTable('files_usage')
    .addColumn('user_id', 'bigint', (c) => c.primaryKey())
    .addColumn('logical_bytes', 'bigint', (c) => c.notNull())
    .execute();
}
