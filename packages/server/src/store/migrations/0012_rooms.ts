import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { withAutoId } from './dialect.ts';

export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  // `retention_days` 0 keeps everything. Names never change, so messages and members carry them.
  await withAutoId(db.schema.createTable('rooms'), kind, 'id')
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('history', 'text', (c) => c.notNull())
    .addColumn('retention_days', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rooms_kind').on('rooms').columns(['kind', 'name']).execute();

  // One row per person a room has known: `state` joined, invited, left, kicked or banned. A
  // member sees messages from `since_ord` on (0 for a room whose history is `all`) and has read
  // up to `read_ord`. A ban keeps its row (and reason) until lifted, so the person cannot rejoin.
  await db.schema
    .createTable('room_members')
    .addColumn('room_id', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('muted', 'integer', (c) => c.notNull())
    .addColumn('since_ord', 'bigint', (c) => c.notNull())
    .addColumn('read_ord', 'bigint', (c) => c.notNull())
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('room_members_pk', ['room_id', 'user_id'])
    .execute();
  await db.schema.createIndex('room_members_user').on('room_members').columns(['user_id', 'state']).execute();
  await db.schema.createIndex('room_members_state').on('room_members').columns(['room_id', 'state']).execute();

  // Stored once; members' mailboxes point at the event. `ord` is the room order.
  await withAutoId(db.schema.createTable('room_messages'), kind, 'ord')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('room_id', 'bigint', (c) => c.notNull())
    .addColumn('sender_id', 'bigint', (c) => c.notNull())
    .addColumn('sender_name', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text')
    .addColumn('mentions', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('deleted_by', 'text')
    .execute();
  await db.schema.createIndex('room_messages_room').on('room_messages').columns(['room_id', 'ord']).execute();

  // Earlier texts of edited messages, for moderators.
  await withAutoId(db.schema.createTable('room_message_edits'), kind, 'id')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('room_message_edits_message').on('room_message_edits').columns(['message_id', 'id']).execute();

  await withAutoId(db.schema.createTable('room_reactions'), kind, 'id')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('emoji', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('room_reactions_one').unique().on('room_reactions').columns(['message_id', 'user_id', 'emoji']).execute();
}
