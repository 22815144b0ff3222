import { PodError } from '@pod/protocol';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { FilesTables } from '../../store/schema.ts';
import type { Db } from './nodes.repo.ts';

type Tx = Transaction<FilesTables>;
export type VersionRow = Selectable<FilesTables['files_versions']>;

export async function insertVersion(
  tx: Tx,
  version: { nodeId: number; userId: number; size: number; hash: string; manifest: string; chunkCount: number; at: string },
): Promise<number> {
  const row = await tx
    .insertInto('files_versions')
    .values({ node_id: version.nodeId, user_id: version.userId, size: version.size, hash: version.hash, manifest: version.manifest, chunk_count: version.chunkCount, created_at: version.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** A committed upload's manifest becomes the version's (the cast names the parameter's type for PostgreSQL). */
export async function manifestFromUpload(tx: Tx, versionId: number, uploadId: string): Promise<void> {
  await sql`insert into files_version_chunks (version_id, idx, hash, size, byte_start)
            select cast(${versionId} as bigint), idx, hash, size, byte_start from files_upload_chunks where upload_id = ${uploadId}`.execute(tx);
}

/** A copy or restored version shares the manifest's chunks: rows are copied, bytes are not. */
export async function manifestFromVersion(tx: Tx, versionId: number, fromVersionId: number): Promise<void> {
  await sql`insert into files_version_chunks (version_id, idx, hash, size, byte_start)
            select cast(${versionId} as bigint), idx, hash, size, byte_start from files_version_chunks where version_id = ${fromVersionId}`.execute(tx);
}

/**
 * Adds the references the manifests of `versionIds` hold on their chunks (or with `-1`, takes
 * them away), in the transaction that adds or removes those manifests: the counts are exactly
 * as durable as the manifests. A reference is never added to a chunk being collected; the
 * answer says whether every chunk named could take one.
 */
export async function changeRefs(tx: Tx, versionIds: readonly number[], sign: 1 | -1, nowMs: number): Promise<boolean> {
  if (versionIds.length === 0) return true;
  const ids = sql.join([...versionIds]);
  const counts = sql`(select hash, count(*) as n from files_version_chunks where version_id in (${ids}) group by hash)`;
  const result = sign === 1
    ? await sql`update files_chunks set refs = files_chunks.refs + c.n from ${counts} c
                where files_chunks.hash = c.hash and files_chunks.state <> 'deleting'`.execute(tx)
    : await sql`update files_chunks set refs = files_chunks.refs - c.n, touched_at = ${nowMs} from ${counts} c
                where files_chunks.hash = c.hash`.execute(tx);
  if (sign === -1) return true;
  const distinct = await sql<{ n: number }>`select count(distinct hash) as n from files_version_chunks where version_id in (${ids})`.execute(tx);
  return Number(result.numAffectedRows ?? 0) === Number(distinct.rows[0]?.n ?? 0);
}

/** Adds manifests' references, refusing (and so rolling back) when a chunk was collected meanwhile. */
export async function addRefs(tx: Tx, versionIds: readonly number[], nowMs: number): Promise<void> {
  if (!(await changeRefs(tx, versionIds, 1, nowMs))) {
    throw new PodError('conflict', 'some chunks of this file were collected meanwhile; upload it again (only those chunks are sent)', { collected: true });
  }
}

/** Deletes versions for good: their references, manifests and rows, and their bytes from the owners' usage. */
export async function deleteVersions(tx: Tx, versions: ReadonlyArray<{ id: number; userId: number; size: number }>, nowMs: number): Promise<void> {
  for (let start = 0; start < versions.length; start += 500) {
    const page = versions.slice(start, start + 500);
    const ids = page.map((version) => version.id);
    await changeRefs(tx, ids, -1, nowMs);
    await tx.deleteFrom('files_version_chunks').where('version_id', 'in', ids).execute();
    await tx.deleteFrom('files_versions').where('id', 'in', ids).execute();
  }
  const byUser = new Map<number, number>();
  for (const version of versions) byUser.set(version.userId, (byUser.get(version.userId) ?? 0) + version.size);
  for (const [userId, bytes] of byUser) await addUsage(tx, userId, -bytes);
}

export async function versionRow(db: Db, versionId: number): Promise<VersionRow | undefined> {
  return db.selectFrom('files_versions').selectAll().where('id', '=', versionId).executeTakeFirst();
}

export async function versionsOfNode(db: Db, nodeId: number): Promise<VersionRow[]> {
  return db.selectFrom('files_versions').selectAll().where('node_id', '=', nodeId).orderBy('id', 'desc').execute();
}

/** Every version of the given files, for deleting them with their files. */
export async function versionsOfNodes(db: Db, nodeIds: readonly number[]): Promise<Array<{ id: number; userId: number; size: number }>> {
  const found: Array<{ id: number; userId: number; size: number }> = [];
  for (let start = 0; start < nodeIds.length; start += 500) {
    const rows = await db.selectFrom('files_versions').select(['id', 'user_id', 'size']).where('node_id', 'in', nodeIds.slice(start, start + 500)).execute();
    for (const row of rows) found.push({ id: Number(row.id), userId: Number(row.user_id), size: Number(row.size) });
  }
  return found;
}

/** Versions of a file beyond the newest `keep` earlier ones (the current one never counts). */
export async function versionsBeyond(tx: Tx, nodeId: number, currentId: number, keep: number): Promise<Array<{ id: number; userId: number; size: number }>> {
  const rows = await tx
    .selectFrom('files_versions')
    .select(['id', 'user_id', 'size'])
    .where('node_id', '=', nodeId)
    .where('id', '!=', currentId)
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(1_000_000)
    .execute();
  return rows.map((row) => ({ id: Number(row.id), userId: Number(row.user_id), size: Number(row.size) }));
}

/**
 * The SHA-256 of a version whose manifest digest is `manifest`: the same chunks in the same
 * order, so the same file. Every stored version was checked against its hash when committed.
 */
export async function hashOfManifest(db: Db, manifest: string): Promise<string | undefined> {
  const row = await db.selectFrom('files_versions').select('hash').where('manifest', '=', manifest).limit(1).executeTakeFirst();
  return row?.hash;
}

/** A page of a version's manifest: the chunks from the one holding byte `offset` on. */
export async function manifestFrom(db: Db, versionId: number, offset: number, limit: number): Promise<Array<{ hash: string; size: number; offset: number }>> {
  const first = await db
    .selectFrom('files_version_chunks')
    .select((eb) => eb.fn.max('idx').as('idx'))
    .where('version_id', '=', versionId)
    .where('byte_start', '<=', offset)
    .executeTakeFirst();
  const rows = await db
    .selectFrom('files_version_chunks')
    .select(['hash', 'size', 'byte_start'])
    .where('version_id', '=', versionId)
    .where('idx', '>=', Number(first?.idx ?? 0))
    .orderBy('idx')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ hash: row.hash, size: Number(row.size), offset: Number(row.byte_start) }));
}

export async function addUsage(tx: Tx, userId: number, delta: number): Promise<void> {
  if (delta === 0) return;
  await tx
    .insertInto('files_usage')
    .values({ user_id: userId, logical_bytes: delta })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ logical_bytes: sql`files_usage.logical_bytes + excluded.logical_bytes` }))
    .execute();
}

export async function usageOf(db: Db, userId: number): Promise<number> {
  const row = await db.selectFrom('files_usage').select('logical_bytes').where('user_id', '=', userId).executeTakeFirst();
  return Number(row?.logical_bytes ?? 0);
}

/** What the caller's distinct chunks take in the blob store, each counted once however often it is used. */
export async function storedBytesOf(db: Db, userId: number): Promise<number> {
  const { rows } = await sql<{ bytes: number | null }>`
    select sum(stored_size) as bytes from files_chunks where hash in (
      select vc.hash from files_version_chunks vc join files_versions v on v.id = vc.version_id where v.user_id = ${userId}
    )`.execute(db);
  return Number(rows[0]?.bytes ?? 0);
}

/** Bytes of every version of the caller's trashed files. */
export async function trashBytesOf(db: Db, userId: number): Promise<number> {
  const { rows } = await sql<{ bytes: number | null }>`
    select sum(v.size) as bytes from files_versions v join files_nodes n on n.id = v.node_id
    where n.user_id = ${userId} and n.trash_root is not null`.execute(db);
  return Number(rows[0]?.bytes ?? 0);
}
