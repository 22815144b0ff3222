import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { clustered, withAutoId } from './dialect.ts';

export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  // Announcements app: what an administrator posted (kept as written, to show where the
  // sanitised html came from) and the html every client renders, sanitised at post time.
  await withAutoId(db.schema.createTable('announcements'), kind, 'id')
    .addColumn('author_id', 'bigint', (c) => c.notNull())
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'text', (c) => c.notNull())
    .execute();
  // Who dismissed what: a row per user and announcement, so a dismissal follows the user to every device.
  await clustered(
    db.schema
      .createTable('announcement_dismissals')
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('announcement_id', 'bigint', (c) => c.notNull())
      .addColumn('dismissed_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('announcement_dismissals_pk', ['user_id', 'announcement_id']),
    kind,
  ).execute();
}
