import type { Kysely, Transaction } from 'kysely';
import type { DirectoryTables } from '../../store/schema.ts';

type Db = Kysely<DirectoryTables> | Transaction<DirectoryTables>;

export async function isBlocked(db: Db, ownerId: number, blockedId: number): Promise<boolean> {
  const row = await db.selectFrom('blocks').select('owner_id').where('owner_id', '=', ownerId).where('blocked_id', '=', blockedId).executeTakeFirst();
  return row !== undefined;
}

export async function isBuddy(db: Db, ownerId: number, otherId: number): Promise<boolean> {
  const row = await db
    .selectFrom('buddies')
    .select('owner_id')
    .where('owner_id', '=', ownerId)
    .where('other_id', '=', otherId)
    .where('state', '=', 'buddy')
    .executeTakeFirst();
  return row !== undefined;
}

/** Accepted buddies of a user, who are the ones allowed to see their presence. */
export async function acceptedBuddies(db: Db, userId: number): Promise<Array<{ id: number; name: string }>> {
  const rows = await db
    .selectFrom('buddies')
    .innerJoin('users', 'users.id', 'buddies.other_id')
    .select(['users.id', 'users.name'])
    .where('buddies.owner_id', '=', userId)
    .where('buddies.state', '=', 'buddy')
    .where('users.disabled', '=', 0)
    .execute();
  return rows.map((row) => ({ id: Number(row.id), name: row.name }));
}

/** Everything deciding whether `fromId` may message the user named `toName`, in one query. */
export async function messagingRelation(db: Db, fromId: number, toName: string) {
  const row = await db
    .selectFrom('users as recipient')
    .select((eb) => [
      'recipient.id',
      'recipient.name',
      'recipient.disabled',
      'recipient.messages_from',
      eb.selectFrom('users').select('name').where('id', '=', fromId).as('sender_name'),
      eb.exists(eb.selectFrom('blocks').select('owner_id').where('owner_id', '=', fromId).whereRef('blocked_id', '=', 'recipient.id')).as('sender_blocks'),
      eb.exists(eb.selectFrom('blocks').select('owner_id').whereRef('owner_id', '=', 'recipient.id').where('blocked_id', '=', fromId)).as('recipient_blocks'),
      eb
        .exists(eb.selectFrom('buddies').select('owner_id').whereRef('owner_id', '=', 'recipient.id').where('other_id', '=', fromId).where('state', '=', 'buddy'))
        .as('buddies'),
    ])
    .where('recipient.name', '=', toName)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: Number(row.id),
    name: row.name,
    disabled: Number(row.disabled) === 1,
    messagesFrom: row.messages_from,
    senderName: row.sender_name,
    senderBlocks: Boolean(Number(row.sender_blocks)),
    recipientBlocks: Boolean(Number(row.recipient_blocks)),
    buddies: Boolean(Number(row.buddies)),
  };
}
