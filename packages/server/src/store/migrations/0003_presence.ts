import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('presence_devices')
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('session', 'text', (c) => c.notNull())
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('presence_devices_pk', ['user_id', 'session'])
    .execute();
  await db.schema.createIndex('presence_devices_expiry').on('presence_devices').column('expires_at').execute();
  await db.schema
    .createTable('presence_status')
    .addColumn('user_id', 'bigint', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('announced', 'text', (c) => c.notNull())
    .execute();
}
