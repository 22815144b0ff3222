import type { ChunkRef } from '@pod/protocol';
import { sql, type Insertable, type Selectable, type Transaction } from 'kysely';
import type { FilesTables } from '../../store/schema.ts';
import type { Db } from './nodes.repo.ts';

type Tx = Transaction<FilesTables>;
export type UploadRow = Selectable<FilesTables['files_uploads']>;
export interface UploadEntry {
  idx: number;
  hash: string;
  size: number;
  byteStart: number;
}

/** The caller's upload while it has not expired; another user's upload is not there. */
export async function openUpload(db: Db, userId: number, uploadId: string, nowMs: number): Promise<UploadRow | undefined> {
  return db.selectFrom('files_uploads').selectAll().where('id', '=', uploadId).where('user_id', '=', userId).where('expires_at', '>', nowMs).executeTakeFirst();
}

/** The caller's unfinished upload of this very content to this path, to resume. */
export async function resumableUpload(db: Db, userId: number, target: { path: string; size: number; hash: string; chunkCount: number }, nowMs: number): Promise<UploadRow | undefined> {
  return db
    .selectFrom('files_uploads')
    .selectAll()
    .where('user_id', '=', userId)
    .where('path', '=', target.path)
    .where('size', '=', target.size)
    .where('hash', '=', target.hash)
    .where('chunk_count', '=', target.chunkCount)
    .where('expires_at', '>', nowMs)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export async function openUploadCount(tx: Tx, userId: number, nowMs: number): Promise<number> {
  const row = await tx.selectFrom('files_uploads').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('expires_at', '>', nowMs).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function createUpload(tx: Tx, row: Insertable<FilesTables['files_uploads']>): Promise<void> {
  await tx.insertInto('files_uploads').values(row).execute();
}

/** Activity keeps an upload (and the chunks it names) alive. */
export async function extendUpload(tx: Tx, uploadId: string, expiresAt: number): Promise<void> {
  await tx.updateTable('files_uploads').set({ expires_at: expiresAt }).where('id', '=', uploadId).where('expires_at', '<', expiresAt).execute();
}

export async function deleteUploads(tx: Tx, uploadIds: readonly string[]): Promise<void> {
  if (uploadIds.length === 0) return;
  await tx.deleteFrom('files_upload_chunks').where('upload_id', 'in', [...uploadIds]).execute();
  await tx.deleteFrom('files_uploads').where('id', 'in', [...uploadIds]).execute();
}

/** Manifest entries received so far (they arrive in order, so also the next index) and their bytes. */
export async function receivedOf(db: Db, uploadId: string): Promise<{ count: number; bytes: number }> {
  const row = await db
    .selectFrom('files_upload_chunks')
    .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('size').as('bytes')])
    .where('upload_id', '=', uploadId)
    .executeTakeFirst();
  return { count: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0) };
}

export async function uploadEntries(db: Db, uploadId: string, from: number, limit: number): Promise<UploadEntry[]> {
  const rows = await db
    .selectFrom('files_upload_chunks')
    .select(['idx', 'hash', 'size', 'byte_start'])
    .where('upload_id', '=', uploadId)
    .where('idx', '>=', from)
    .orderBy('idx')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ idx: Number(row.idx), hash: row.hash, size: Number(row.size), byteStart: Number(row.byte_start) }));
}

export async function appendEntries(tx: Tx, uploadId: string, from: number, byteStart: number, chunks: readonly ChunkRef[]): Promise<void> {
  let start = byteStart;
  const rows = chunks.map((chunk, index) => {
    const row = { upload_id: uploadId, idx: from + index, hash: chunk.hash, size: chunk.size, byte_start: start };
    start += chunk.size;
    return row;
  });
  for (let i = 0; i < rows.length; i += 200) await tx.insertInto('files_upload_chunks').values(rows.slice(i, i + 200)).execute();
}

/** The size an open upload of the caller declared for `hash`, if the upload names it. */
export async function declaredSize(db: Db, userId: number, uploadId: string, hash: string, nowMs: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('files_upload_chunks as uc')
    .innerJoin('files_uploads as u', 'u.id', 'uc.upload_id')
    .select('uc.size')
    .where('uc.upload_id', '=', uploadId)
    .where('uc.hash', '=', hash)
    .where('u.user_id', '=', userId)
    .where('u.expires_at', '>', nowMs)
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.size);
}

/** Of `hashes`, those whose bytes the server holds, and those the user has shown they hold. */
export async function holdings(db: Db, userId: number, hashes: readonly string[]): Promise<{ present: Set<string>; owned: Set<string> }> {
  const present = new Set<string>();
  const owned = new Set<string>();
  for (let start = 0; start < hashes.length; start += 500) {
    const page = hashes.slice(start, start + 500);
    const chunks = await db.selectFrom('files_chunks').select('hash').where('hash', 'in', page).where('state', '=', 'present').execute();
    for (const row of chunks) present.add(row.hash);
    const owners = await db.selectFrom('files_chunk_owners').select('hash').where('user_id', '=', userId).where('hash', 'in', page).execute();
    for (const row of owners) owned.add(row.hash);
  }
  return { present, owned };
}

/**
 * Manifest entries of an upload the caller may not commit yet: chunks absent (or being
 * collected), not shown to be held by the caller, or not of the size the manifest says.
 */
export async function unmetEntries(tx: Db, userId: number, uploadId: string, limit: number): Promise<Array<{ idx: number; hash: string; size: number; chunkSize: number | null; present: boolean; owned: boolean }>> {
  const { rows } = await sql<{ idx: number; hash: string; size: number; chunk_size: number | null; state: string | null; owner: number | null }>`
    select uc.idx, uc.hash, uc.size, c.size as chunk_size, c.state, o.user_id as owner
    from files_upload_chunks uc
    left join files_chunks c on c.hash = uc.hash
    left join files_chunk_owners o on o.hash = uc.hash and o.user_id = ${userId}
    where uc.upload_id = ${uploadId} and (c.hash is null or c.state <> 'present' or o.user_id is null or c.size <> uc.size)
    order by uc.idx
    limit ${limit}`.execute(tx);
  return rows.map((row) => ({
    idx: Number(row.idx),
    hash: row.hash,
    size: Number(row.size),
    chunkSize: row.chunk_size === null ? null : Number(row.chunk_size),
    present: row.state === 'present',
    owned: row.owner !== null,
  }));
}

export async function addOwners(tx: Tx, userId: number, hashes: readonly string[]): Promise<void> {
  const unique = [...new Set(hashes)];
  for (let start = 0; start < unique.length; start += 200) {
    await tx
      .insertInto('files_chunk_owners')
      .values(unique.slice(start, start + 200).map((hash) => ({ user_id: userId, hash })))
      .onConflict((oc) => oc.columns(['user_id', 'hash']).doNothing())
      .execute();
  }
}

/**
 * Records that chunks' bytes are in the blob store (checked against their hashes as they were
 * stored), or refreshes when they last were; a damaged chunk is whole again. Answers those the
 * collector is removing right now: they must be sent again afterwards.
 */
export async function recordChunks(tx: Tx, chunks: ReadonlyArray<{ hash: string; size: number; storedBytes: number }>, nowMs: number): Promise<string[]> {
  const collecting: string[] = [];
  for (let start = 0; start < chunks.length; start += 200) {
    const page = chunks.slice(start, start + 200);
    await tx
      .insertInto('files_chunks')
      .values(page.map((chunk) => ({ hash: chunk.hash, size: chunk.size, stored_size: chunk.storedBytes, refs: 0, touched_at: nowMs, state: 'present' as const })))
      .onConflict((oc) =>
        oc
          .column('hash')
          .doUpdateSet((eb) => ({ touched_at: nowMs, state: 'present', stored_size: eb.ref('excluded.stored_size') }))
          .where('files_chunks.state', 'in', ['present', 'damaged']),
      )
      .execute();
    const states = await chunkStates(tx, page.map((chunk) => chunk.hash));
    for (const chunk of page) if (states.get(chunk.hash) !== 'present') collecting.push(chunk.hash);
  }
  return collecting;
}

/** A chunk read back corrupt: uploads that name it must send its bytes again. */
export async function markDamaged(tx: Tx, hash: string): Promise<void> {
  await tx.updateTable('files_chunks').set({ state: 'damaged' }).where('hash', '=', hash).where('state', '=', 'present').execute();
}

/** The state of each of `hashes` that has a row: whether it is being collected right now (its blob may be gone any moment), damaged, or present. */
export async function chunkStates(db: Db, hashes: readonly string[]): Promise<Map<string, 'present' | 'damaged' | 'deleting'>> {
  const states = new Map<string, 'present' | 'damaged' | 'deleting'>();
  const unique = [...new Set(hashes)];
  for (let start = 0; start < unique.length; start += 500) {
    const rows = await db.selectFrom('files_chunks').select(['hash', 'state']).where('hash', 'in', unique.slice(start, start + 500)).execute();
    for (const row of rows) states.set(row.hash, row.state);
  }
  return states;
}

/**
 * Of `hashes`, those with no chunk row that an open upload of the user names: chunks this user
 * may have sent, whose blobs the commit that never came would have recorded.
 */
export async function unrecordedInOpenUploads(db: Db, userId: number, hashes: readonly string[], nowMs: number): Promise<string[]> {
  const found: string[] = [];
  const unique = [...new Set(hashes)];
  for (let start = 0; start < unique.length; start += 500) {
    const rows = await db
      .selectFrom('files_upload_chunks as uc')
      .innerJoin('files_uploads as u', 'u.id', 'uc.upload_id')
      .leftJoin('files_chunks as c', 'c.hash', 'uc.hash')
      .select('uc.hash')
      .distinct()
      .where('uc.hash', 'in', unique.slice(start, start + 500))
      .where('u.user_id', '=', userId)
      .where('u.expires_at', '>', nowMs)
      .where('c.hash', 'is', null)
      .execute();
    for (const row of rows) found.push(row.hash);
  }
  return found;
}

/** What the gateway needs before taking chunks' bytes: the size an open upload of the caller declared for each of `hashes` it names, and that upload's secret. */
export async function expectedChunks(db: Db, userId: number, uploadId: string, hashes: readonly string[], nowMs: number): Promise<{ sizes: Map<string, number>; receiptKey: string | undefined }> {
  const sizes = new Map<string, number>();
  let receiptKey: string | undefined;
  const unique = [...new Set(hashes)];
  for (let start = 0; start < unique.length; start += 500) {
    const rows = await db
      .selectFrom('files_upload_chunks as uc')
      .innerJoin('files_uploads as u', 'u.id', 'uc.upload_id')
      .select(['uc.hash', 'uc.size', 'u.receipt_key'])
      .distinct()
      .where('uc.upload_id', '=', uploadId)
      .where('uc.hash', 'in', unique.slice(start, start + 500))
      .where('u.user_id', '=', userId)
      .where('u.expires_at', '>', nowMs)
      .execute();
    for (const row of rows) {
      sizes.set(row.hash, Number(row.size));
      receiptKey = row.receipt_key;
    }
  }
  return { sizes, receiptKey };
}

/** What the gateway hashed the upload's chunks to, having stored them all in one batch, in order (files.upload.streamed). */
export async function setStreamedHash(tx: Tx, uploadId: string, hash: string): Promise<void> {
  await tx.updateTable('files_uploads').set({ streamed_hash: hash }).where('id', '=', uploadId).execute();
}

/** Drops an upload's manifest entries from index `from` on (see applyPage). */
export async function truncateEntries(tx: Tx, uploadId: string, from: number): Promise<void> {
  await tx.deleteFrom('files_upload_chunks').where('upload_id', '=', uploadId).where('idx', '>=', from).execute();
  await tx.updateTable('files_uploads').set({ streamed_hash: null }).where('id', '=', uploadId).execute();
}
