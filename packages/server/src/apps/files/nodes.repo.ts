import { PodError } from '@pod/protocol';
import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import { isUniqueViolation } from '../../store/conflicts.ts';
import type { FilesTables } from '../../store/schema.ts';
import type { NodeRow } from './entries.ts';

export type Db = Kysely<FilesTables> | Transaction<FilesTables>;
type Tx = Transaction<FilesTables>;

/** A live item of a folder by name (a trashed one has left its name free). */
export async function childByName(db: Db, userId: number, parentId: number, name: string): Promise<NodeRow | undefined> {
  return db
    .selectFrom('files_nodes')
    .selectAll()
    .where('user_id', '=', userId)
    .where('parent_id', '=', parentId)
    .where('name', '=', name)
    .where('trashed_at', 'is', null)
    .executeTakeFirst();
}

/** The caller's items among `ids`; others' ids are simply not there. */
export async function nodesByIds(db: Db, userId: number, ids: readonly number[]): Promise<NodeRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('files_nodes').selectAll().where('user_id', '=', userId).where('id', 'in', [...ids]).execute();
}

/** Any user's item by id: only for access checks (access.ts), which decide whether the caller may see it. */
export async function nodeById(db: Db, id: number): Promise<NodeRow | undefined> {
  return db.selectFrom('files_nodes').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Items of any owners by id: for listing grants, whose items the grants already say the caller may see. */
export async function nodesByIdsAnyOwner(db: Db, ids: readonly number[]): Promise<NodeRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('files_nodes').selectAll().where('id', 'in', [...ids]).execute();
}

/** A page of a live folder's items, by name, after the name `after`. */
export async function listChildren(db: Db, userId: number, parentId: number, after: string | undefined, limit: number): Promise<NodeRow[]> {
  let query = db.selectFrom('files_nodes').selectAll().where('user_id', '=', userId).where('parent_id', '=', parentId).where('trashed_at', 'is', null);
  if (after !== undefined) query = query.where('name', '>', after);
  return query.orderBy('name').limit(limit).execute();
}

/** Inserts an item; a live item of the same name (another request's, just committed) is a conflict. */
export async function insertNode(tx: Tx, row: Insertable<FilesTables['files_nodes']>): Promise<NodeRow> {
  try {
    return await tx.insertInto('files_nodes').values(row).returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(row.name);
    throw error;
  }
}

/**
 * Inserts an item unless a live one of that name is there, which another request may have
 * committed a moment ago (then answers undefined, and the caller reads that one instead).
 */
export async function insertNodeIfAbsent(tx: Tx, row: Insertable<FilesTables['files_nodes']>): Promise<NodeRow | undefined> {
  return tx
    .insertInto('files_nodes')
    .values(row)
    .onConflict((oc) => oc.columns(['user_id', 'parent_id', 'name']).where('trashed_at', 'is', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateNode(tx: Tx, id: number, patch: Updateable<FilesTables['files_nodes']>): Promise<NodeRow> {
  try {
    return await tx.updateTable('files_nodes').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(String(patch.name ?? ''));
    throw error;
  }
}

export function nameTaken(name: string): PodError {
  return new PodError('conflict', `an item named "${name}" is already there; choose another name`);
}

/** Each of `ids` and its ancestors up to the root: id -> parent and name, in one query. */
export async function ancestry(db: Db, ids: readonly number[]): Promise<Map<number, { parentId: number; name: string }>> {
  const found = new Map<number, { parentId: number; name: string }>();
  if (ids.length === 0) return found;
  const { rows } = await sql<{ id: number; parent_id: number; name: string }>`
    with recursive up(id, parent_id, name) as (
      select id, parent_id, name from files_nodes where id in (${sql.join([...ids])})
      union
      select n.id, n.parent_id, n.name from files_nodes n join up on n.id = up.parent_id
    )
    select id, parent_id, name from up`.execute(db);
  for (const row of rows) found.set(Number(row.id), { parentId: Number(row.parent_id), name: row.name });
  return found;
}

/**
 * An item and everything below it, parents before children, with each one's depth below it.
 * `liveOnly` leaves out what was trashed on its own inside it (a subtree of its own in the trash).
 */
export async function subtree(db: Db, rootId: number, liveOnly: boolean, limit: number): Promise<Array<NodeRow & { depth: number }>> {
  const live = liveOnly ? sql`and n.trashed_at is null` : sql``;
  const { rows } = await sql<NodeRow & { depth: number }>`
    with recursive down(id, depth) as (
      select id, 0 from files_nodes where id = ${rootId}
      union all
      select n.id, down.depth + 1 from files_nodes n join down on n.parent_id = down.id where 1 = 1 ${live}
    )
    select files_nodes.*, down.depth as depth from down join files_nodes on files_nodes.id = down.id
    order by down.depth, files_nodes.id
    limit ${limit}`.execute(db);
  return rows.map((row) => ({ ...row, depth: Number(row.depth) }));
}

/** How many folders deep the subtree below `rootId` goes (0: nothing below it). */
export async function subtreeHeight(db: Db, rootId: number): Promise<number> {
  const { rows } = await sql<{ height: number | null }>`
    with recursive down(id, depth) as (
      select id, 0 from files_nodes where id = ${rootId}
      union all
      select n.id, down.depth + 1 from files_nodes n join down on n.parent_id = down.id
    )
    select max(depth) as height from down`.execute(db);
  return Number(rows[0]?.height ?? 0);
}

/** Puts an item and its live contents in the trash as one subtree, named by the item. */
export async function markTrashed(tx: Tx, topId: number, at: string): Promise<NodeRow> {
  await sql`
    update files_nodes set trash_root = ${topId} where id in (
      with recursive down(id) as (
        select id from files_nodes where id = ${topId}
        union all
        select n.id from files_nodes n join down on n.parent_id = down.id where n.trashed_at is null
      )
      select id from down
    )`.execute(tx);
  return tx.updateTable('files_nodes').set({ trashed_at: at }).where('id', '=', topId).returningAll().executeTakeFirstOrThrow();
}

/** Takes a subtree out of the trash into `parentId` under `name`. */
export async function unmarkTrashed(tx: Tx, topId: number, parentId: number, name: string): Promise<NodeRow> {
  await tx.updateTable('files_nodes').set({ trash_root: null }).where('trash_root', '=', topId).execute();
  return updateNode(tx, topId, { trashed_at: null, parent_id: parentId, name });
}

/** A page of the trash's tops, most recently trashed first, after the cursor (trashedAt, id). */
export async function trashTops(db: Db, userId: number, after: [string, number] | undefined, limit: number): Promise<NodeRow[]> {
  let query = db.selectFrom('files_nodes').selectAll().where('user_id', '=', userId).where('trashed_at', 'is not', null);
  if (after) {
    const [at, id] = after;
    query = query.where((eb) => eb.or([eb('trashed_at', '<', at), eb.and([eb('trashed_at', '=', at), eb('id', '<', id)])]));
  }
  return query.orderBy('trashed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function deleteNodes(tx: Tx, ids: readonly number[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 500) {
    await tx.deleteFrom('files_nodes').where('id', 'in', ids.slice(start, start + 500)).execute();
  }
}

export interface SearchFilters {
  query?: string;
  type?: string;
  kind?: 'file' | 'folder';
  minSize?: number;
  maxSize?: number;
  modifiedAfter?: string;
  modifiedBefore?: string;
}

/** LIKE's wildcards and the escape character itself, taken literally. */
function likeEscaped(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

/**
 * A page of the items outside the trash of `ownerId` and/or under the tops `within`, matching
 * every filter given, by name then id. lower() and an explicit ESCAPE behave alike on both engines (ASCII case folding).
 */
export async function searchNodes(db: Db, among: { ownerId?: number; within?: readonly number[] }, filters: SearchFilters, after: [string, number] | undefined, limit: number): Promise<NodeRow[]> {
  const within = among.within ?? [];
  if (among.ownerId === undefined && within.length === 0) return [];
  // Items under granted tops: the tops and everything live below them, whoever's they are.
  const inside = sql<boolean>`id in (
    with recursive down(id) as (
      select id from files_nodes where id in (${sql.join(within.length > 0 ? [...within] : [-1])})
      union
      select n.id from files_nodes n join down on n.parent_id = down.id where n.trash_root is null
    )
    select id from down)`;
  let query = db
    .selectFrom('files_nodes')
    .selectAll()
    .where('trash_root', 'is', null)
    .where((eb) => eb.or([...(among.ownerId !== undefined ? [eb('user_id', '=', among.ownerId)] : []), ...(within.length > 0 ? [inside] : [])]));
  if (filters.query) query = query.where(sql<boolean>`lower(name) like lower(${`%${likeEscaped(filters.query)}%`}) escape '!'`);
  if (filters.type) {
    query = filters.type.endsWith('/')
      ? query.where(sql<boolean>`content_type like ${`${likeEscaped(filters.type.toLowerCase())}%`} escape '!'`)
      : query.where('content_type', '=', filters.type.toLowerCase());
  }
  if (filters.kind) query = query.where('kind', '=', filters.kind);
  if (filters.minSize !== undefined) query = query.where('size', '>=', filters.minSize);
  if (filters.maxSize !== undefined) query = query.where('size', '<=', filters.maxSize);
  if (filters.modifiedAfter) query = query.where('modified_at', '>=', filters.modifiedAfter);
  if (filters.modifiedBefore) query = query.where('modified_at', '<', filters.modifiedBefore);
  if (after) {
    const [name, id] = after;
    query = query.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]));
  }
  return query.orderBy('name').orderBy('id').limit(limit).execute();
}

/** The caller's live files and folders, counted. */
export async function countLive(db: Db, userId: number): Promise<{ files: number; folders: number; currentBytes: number }> {
  const rows = await db
    .selectFrom('files_nodes')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('size').as('bytes')])
    .where('user_id', '=', userId)
    .where('trash_root', 'is', null)
    .groupBy('kind')
    .execute();
  const of = (kind: string) => rows.find((row) => row.kind === kind);
  return { files: Number(of('file')?.n ?? 0), folders: Number(of('folder')?.n ?? 0), currentBytes: Number(of('file')?.bytes ?? 0) };
}
