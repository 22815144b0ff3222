import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per device and gateway holding it, so a device that reconnects through another
  // gateway is not let go by the old one's late goodbye.
  await db.schema
    .createTable('presence_devices')
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('session', 'text', (c) => c.notNull())
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('connected', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('presence_devices_pk', ['user_id', 'session', 'gateway'])
    .execute();
  await db.schema.createIndex('presence_devices_expiry').on('presence_devices').column('expires_at').execute();
  await db.schema
    .createTable('presence_status')
    .addColumn('user_id', 'bigint', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('announced_status', 'text', (c) => c.notNull())
    .addColumn('announced_text', 'text', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('dirty', 'integer', (c) => c.notNull())
    .execute();
  // The sweep pages through unannounced changes by user id.
  await db.schema.createIndex('presence_status_dirty').on('presence_status').columns(['dirty', 'user_id']).execute();
}
