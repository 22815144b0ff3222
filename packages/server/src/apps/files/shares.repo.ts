import { sql, type Selectable, type Transaction } from 'kysely';
import type { FilesTables } from '../../store/schema.ts';
import type { Db } from './nodes.repo.ts';
import type { Memberships } from './viewer.ts';

type Tx = Transaction<FilesTables>;
export type ShareRow = Selectable<FilesTables['files_shares']>;
export type GranteeKind = ShareRow['grantee_kind'];

/** Every grant on the given items (an item and its ancestors, to check access to it). */
export async function sharesOnNodes(db: Db, nodeIds: readonly number[]): Promise<ShareRow[]> {
  if (nodeIds.length === 0) return [];
  return db.selectFrom('files_shares').selectAll().where('node_id', 'in', [...nodeIds]).execute();
}

/** Whether the owner has granted anything to anyone (most have not: their writes then look no further). */
export async function ownerShares(db: Db, ownerId: number): Promise<boolean> {
  const row = await db.selectFrom('files_shares').select('id').where('owner_id', '=', ownerId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Grants or changes a grant; answers the row as it is now. */
export async function upsertShare(
  tx: Tx,
  share: { ownerId: number; ownerName: string; nodeId: number; kind: GranteeKind; granteeId: number; granteeName: string; access: 'read' | 'write'; at: string },
  keepHigher = false,
): Promise<ShareRow> {
  // An attachment grants read but never takes write away from a grant that had it.
  const access = keepHigher ? sql<'read' | 'write'>`case when files_shares.access = 'write' then 'write' else excluded.access end` : sql<'read' | 'write'>`excluded.access`;
  return tx
    .insertInto('files_shares')
    .values({
      owner_id: share.ownerId,
      owner_name: share.ownerName,
      node_id: share.nodeId,
      grantee_kind: share.kind,
      grantee_id: share.granteeId,
      grantee_name: share.granteeName,
      access: share.access,
      created_at: share.at,
    })
    .onConflict((oc) => oc.columns(['node_id', 'grantee_kind', 'grantee_id', 'grantee_name']).doUpdateSet({ access }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Ends grants on an item: to the users `userIds`, to `group`, to `room`, to every user, group and room (`all`), or its publishing (`published`). */
export async function deleteShares(tx: Tx, nodeId: number, which: { userIds?: readonly number[]; group?: string; room?: string; all?: boolean; published?: boolean }): Promise<number> {
  const result = await tx
    .deleteFrom('files_shares')
    .where('node_id', '=', nodeId)
    .where((eb) =>
      eb.or([
        ...(which.userIds && which.userIds.length > 0 ? [eb.and([eb('grantee_kind', '=', 'user'), eb('grantee_id', 'in', [...which.userIds])])] : []),
        ...(which.group !== undefined ? [eb.and([eb('grantee_kind', '=', 'group'), eb('grantee_name', '=', which.group)])] : []),
        ...(which.room !== undefined ? [eb.and([eb('grantee_kind', '=', 'room'), eb('grantee_name', '=', which.room)])] : []),
        ...(which.all ? [eb('grantee_kind', 'in', ['user', 'group', 'room'])] : []),
        ...(which.published ? [eb('grantee_kind', '=', 'public')] : []),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The grants of my items to users and groups (not publishing), one item's or all. */
export async function sharesOf(db: Db, ownerId: number, nodeId: number): Promise<ShareRow[]> {
  return db.selectFrom('files_shares').selectAll().where('owner_id', '=', ownerId).where('node_id', '=', nodeId).orderBy('id').execute();
}

/**
 * Grants to me: by name, or to groups and rooms I am in, newest first, after the share id
 * `before`. Publishing is left out (the universe lists it).
 */
export async function sharesTo(db: Db, userId: number, memberships: Memberships, before: number | undefined, limit: number): Promise<ShareRow[]> {
  let query = db
    .selectFrom('files_shares')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('grantee_kind', '=', 'user'), eb('grantee_id', '=', userId)]),
        ...memberships.groups.map((m) => eb.and([eb('grantee_kind', '=', 'group'), eb('owner_id', '=', m.ownerId), eb('grantee_name', '=', m.group)])),
        ...(memberships.rooms.length > 0 ? [eb.and([eb('grantee_kind', '=', 'room'), eb('grantee_id', 'in', [...memberships.rooms])])] : []),
      ]),
    );
  if (before !== undefined) query = query.where('id', '<', before);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** Published items: one owner's, or every owner's, by share id after `after`. */
export async function publishedRows(db: Db, ownerId: number | undefined, after: number | undefined, limit: number): Promise<ShareRow[]> {
  let query = db.selectFrom('files_shares').selectAll().where('grantee_kind', '=', 'public');
  if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
  if (after !== undefined) query = query.where('id', '>', after);
  return query.orderBy('id').limit(limit).execute();
}

/** Owners who published something, by name, after the name `after`. */
export async function publishers(db: Db, after: string | undefined, limit: number): Promise<Array<{ id: number; name: string }>> {
  let query = db.selectFrom('files_shares').select(['owner_id', 'owner_name']).distinct().where('grantee_kind', '=', 'public');
  if (after !== undefined) query = query.where('owner_name', '>', after);
  const rows = await query.orderBy('owner_name').limit(limit).execute();
  return rows.map((row) => ({ id: Number(row.owner_id), name: row.owner_name }));
}

/** The id of the user named `name` if they published something. */
export async function publisherByName(db: Db, name: string): Promise<number | undefined> {
  const row = await db.selectFrom('files_shares').select('owner_id').where('owner_name', '=', name).where('grantee_kind', '=', 'public').limit(1).executeTakeFirst();
  return row === undefined ? undefined : Number(row.owner_id);
}

/** The id of the owner named `name`, if they have granted anything (else no "~name/..." path can be theirs to see). */
export async function ownerIdByName(db: Db, name: string): Promise<number | undefined> {
  const row = await db.selectFrom('files_shares').select('owner_id').where('owner_name', '=', name).limit(1).executeTakeFirst();
  return row === undefined ? undefined : Number(row.owner_id);
}

/** Users granted access by name to any of the items (for their files.changed events). */
export async function directGrantees(db: Db, nodeIds: readonly number[]): Promise<number[]> {
  if (nodeIds.length === 0) return [];
  const rows = await db.selectFrom('files_shares').select('grantee_id').distinct().where('node_id', 'in', [...nodeIds]).where('grantee_kind', '=', 'user').execute();
  return rows.map((row) => Number(row.grantee_id));
}

/** Grants on items deleted for good go with them. */
export async function deleteSharesOfNodes(tx: Tx, nodeIds: readonly number[]): Promise<void> {
  for (let start = 0; start < nodeIds.length; start += 500) {
    const page = nodeIds.slice(start, start + 500);
    await tx.deleteFrom('files_shares').where('node_id', 'in', page).execute();
    await tx.deleteFrom('files_links').where('node_id', 'in', page).execute();
  }
}
