import { sql, type Transaction } from 'kysely';
import type { FilesTables } from '../../store/schema.ts';
import type { Db } from './nodes.repo.ts';

type Tx = Transaction<FilesTables>;

/** A chunk named by an open upload is protected until that upload expires. */
const notInOpenUpload = (nowMs: number) => sql<boolean>`not exists (
  select 1 from files_upload_chunks uc join files_uploads u on u.id = uc.upload_id
  where uc.hash = files_chunks.hash and u.expires_at > ${nowMs})`;

export async function expiredUploads(db: Db, nowMs: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('files_uploads').select('id').where('expires_at', '<=', nowMs).limit(limit).execute();
  return rows.map((row) => row.id);
}

/**
 * Marks for collection chunks no manifest names, untouched since `cutoffMs` and named by no
 * open upload. The conditions are checked again on each row as it is marked, so a commit that
 * took a reference meanwhile wins, and a commit that comes after finds the chunk marked and
 * refuses to reference it (addRefs).
 */
export async function markCollectable(tx: Tx, cutoffMs: number, nowMs: number, limit: number): Promise<string[]> {
  const rows = await tx
    .updateTable('files_chunks')
    .set({ state: 'deleting' })
    .where('hash', 'in', (eb) =>
      eb.selectFrom('files_chunks as c').select('c.hash').where('c.refs', '=', 0).where('c.state', 'in', ['present', 'damaged']).where('c.touched_at', '<', cutoffMs).limit(limit),
    )
    .where('refs', '=', 0)
    .where('state', 'in', ['present', 'damaged'])
    .where('touched_at', '<', cutoffMs)
    .where(notInOpenUpload(nowMs))
    .returning('hash')
    .execute();
  return rows.map((row) => row.hash);
}

/** Chunks marked for collection, including those a collector stopped on (a crash) before finishing. */
export async function dyingChunks(db: Db, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('files_chunks').select('hash').where('state', '=', 'deleting').limit(limit).execute();
  return rows.map((row) => row.hash);
}

/** Forgets chunks whose blobs are gone, and who held them. */
export async function forgetChunks(tx: Tx, hashes: readonly string[]): Promise<void> {
  if (hashes.length === 0) return;
  await tx.deleteFrom('files_chunks').where('hash', 'in', [...hashes]).where('state', '=', 'deleting').execute();
  await tx
    .deleteFrom('files_chunk_owners')
    .where('hash', 'in', [...hashes])
    .where(sql<boolean>`not exists (select 1 from files_chunks c where c.hash = files_chunk_owners.hash)`)
    .execute();
}

/**
 * Chunks the uploads name that no row records, in hash order after `after`: a chunk PUT stores
 * the blob and writes no row (the commit does), so these may be stored and known to no one else.
 */
export async function unrecordedOfUploads(db: Db, uploadIds: readonly string[], after: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('files_upload_chunks as uc')
    .leftJoin('files_chunks as c', 'c.hash', 'uc.hash')
    .select('uc.hash')
    .distinct()
    .where('uc.upload_id', 'in', [...uploadIds])
    .where('uc.hash', '>', after)
    .where('c.hash', 'is', null)
    .orderBy('uc.hash')
    .limit(limit)
    .execute();
  return rows.map((row) => row.hash);
}

/** Of blobs found in the store, those with no chunk row: left by an upload that never recorded them. */
export async function unrecorded(db: Db, hashes: readonly string[]): Promise<string[]> {
  if (hashes.length === 0) return [];
  const rows = await db.selectFrom('files_chunks').select('hash').where('hash', 'in', [...hashes]).execute();
  const known = new Set(rows.map((row) => row.hash));
  return hashes.filter((hash) => !known.has(hash));
}

/**
 * Claims unrecorded blobs for collection with a 'deleting' row, so that the gateway refuses to
 * take them for an upload until they are gone; skips those an open upload names (the gateway
 * may have just stored them) and those recorded meanwhile.
 */
export async function claimOrphans(tx: Tx, hashes: readonly string[], nowMs: number): Promise<string[]> {
  if (hashes.length === 0) return [];
  const protectedRows = await tx
    .selectFrom('files_upload_chunks as uc')
    .innerJoin('files_uploads as u', 'u.id', 'uc.upload_id')
    .select('uc.hash')
    .where('uc.hash', 'in', [...hashes])
    .where('u.expires_at', '>', nowMs)
    .execute();
  const guarded = new Set(protectedRows.map((row) => row.hash));
  const claimable = hashes.filter((hash) => !guarded.has(hash));
  if (claimable.length === 0) return [];
  const rows = await tx
    .insertInto('files_chunks')
    .values(claimable.map((hash) => ({ hash, size: 0, stored_size: 0, refs: 0, touched_at: nowMs, state: 'deleting' as const })))
    .onConflict((oc) => oc.column('hash').doNothing())
    .returning('hash')
    .execute();
  return rows.map((row) => row.hash);
}
