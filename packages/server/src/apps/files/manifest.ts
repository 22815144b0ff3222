import { MAX_CHUNK_BYTES, MAX_FILE_CHUNKS, MAX_MANIFEST_PAGE, PodError, type ChunkRef, type UploadNeeds } from '@pod/protocol';
import type { Transaction } from 'kysely';
import type { AppContext } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import type { Db } from './nodes.repo.ts';
import { storedUnrecorded, type Accepted } from './possession.ts';
import { appendEntries, holdings, receivedOf, truncateEntries, unmetEntries, uploadEntries, type UploadRow } from './uploads.repo.ts';

type Tx = Transaction<FilesTables>;

/** Refuses a declared size that the declared number of chunks cannot make. */
export function checkDeclaredSize(size: number, chunkCount: number): void {
  if ((size === 0) !== (chunkCount === 0)) throw new PodError('invalid', `a file of ${size} bytes cannot have ${chunkCount} chunks (an empty file has none, any other at least one)`);
  if (size < chunkCount || size > chunkCount * MAX_CHUNK_BYTES) {
    throw new PodError('invalid', `${chunkCount} chunks of 1 to ${MAX_CHUNK_BYTES} bytes cannot add up to ${size} bytes`);
  }
}

/**
 * An upload begun without the file's hash and chunk count (stored as '' and 0): the client
 * sends while it is still hashing, its manifest is complete when the sizes add up to the
 * declared size, and the hash is settled at the commit (see commit.ts, fileHash).
 */
export const hashAtCommit = (upload: Pick<UploadRow, 'hash'>): boolean => upload.hash === '';

/**
 * Records manifest entries from index `from` on. Pages come in order and may be sent again (a
 * resumed upload sends its manifest again): an entry already recorded must be the same, except
 * in an upload whose hash comes at the commit, where the new entries replace the old from the
 * first that differs (a resumed upload whose file changed after its start). The sizes must add
 * up to the upload's declared size once all entries are in. Answers how many entries are recorded.
 */
export async function applyPage(tx: Tx, upload: Pick<UploadRow, 'id' | 'hash' | 'size' | 'chunk_count'>, from: number, chunks: readonly ChunkRef[]): Promise<number> {
  let received = await receivedOf(tx, upload.id);
  const later = hashAtCommit(upload);
  const total = later ? MAX_FILE_CHUNKS : Number(upload.chunk_count);
  if (from > received.count) throw new PodError('invalid', `send the manifest in order: the next entry is #${received.count}, not #${from}`);
  if (from + chunks.length > total) throw new PodError('invalid', `the manifest has ${later ? 'at most ' : ''}${total} entries${later ? '' : ' (chunkCount)'}, not ${from + chunks.length}`);
  let overlap = Math.max(0, Math.min(chunks.length, received.count - from));
  if (overlap > 0) {
    const known = await uploadEntries(tx, upload.id, from, overlap);
    const differs = known.findIndex((entry, index) => entry.hash !== chunks[index]!.hash || entry.size !== chunks[index]!.size);
    if (differs >= 0) {
      const entry = known[differs]!;
      if (!later) throw new PodError('conflict', `manifest entry #${entry.idx} differs from the one sent before; cancel this upload and begin again`);
      await truncateEntries(tx, upload.id, entry.idx);
      received = { count: entry.idx, bytes: entry.byteStart };
      overlap = differs;
    }
  }
  const fresh = chunks.slice(overlap);
  const bytes = received.bytes + fresh.reduce((sum, chunk) => sum + chunk.size, 0);
  const size = Number(upload.size);
  const count = received.count + fresh.length;
  if (bytes > size || (!later && count === total && bytes !== size)) {
    throw new PodError('invalid', `the chunks add up to ${count === total ? '' : 'at least '}${bytes} bytes, not the declared size of ${size}`);
  }
  if (fresh.length > 0) await appendEntries(tx, upload.id, received.count, received.bytes, fresh);
  return count;
}

/**
 * What the uploader must do for these entries: `send` the chunks the server lacks, `prove` the
 * ones it holds that this user has neither sent nor proven, and those in `stored` (blobs with
 * no row, see storedUnrecorded). Each distinct chunk once, at its first index.
 */
export async function needsOf(db: Db, userId: number, entries: ReadonlyArray<{ idx: number; hash: string }>, stored: ReadonlySet<string> = new Set()): Promise<Pick<UploadNeeds, 'send' | 'prove'>> {
  const first = new Map<string, number>();
  for (const entry of entries) if (!first.has(entry.hash)) first.set(entry.hash, entry.idx);
  const { present, owned } = await holdings(db, userId, [...first.keys()]);
  const send: number[] = [];
  const prove: number[] = [];
  for (const [hash, idx] of first) {
    if (present.has(hash) ? !owned.has(hash) : stored.has(hash)) prove.push(idx);
    else if (!present.has(hash)) send.push(idx);
  }
  return { send, prove };
}

/** The needs of a stored page of the manifest, with the blobs an interrupted run stored counted as there to prove. */
export async function pageNeeds(ctx: Pick<AppContext<FilesTables>, 'db' | 'blobs'>, userId: number, upload: UploadRow, from: number): Promise<UploadNeeds> {
  const [received, entries] = await Promise.all([receivedOf(ctx.db, upload.id), uploadEntries(ctx.db, upload.id, from, MAX_MANIFEST_PAGE)]);
  const stored = await storedUnrecorded(ctx, userId, entries.map((entry) => entry.hash));
  return { received: received.count, ...(await needsOf(ctx.db, userId, entries, stored)) };
}

/**
 * Refuses a commit while any chunk is absent or unproven (`conflict`, with what to send and
 * prove in `data`) or differs in size from its manifest entry (`invalid`: the manifest lies).
 * Before the commit's transaction, what it will record counts as done: `accepted`.
 */
export async function checkAllMet(tx: Db, userId: number, upload: UploadRow, accepted: Accepted = { proven: [], record: [] }): Promise<void> {
  const proven = new Set(accepted.proven);
  const recorded = new Map(accepted.record.map((chunk) => [chunk.hash, chunk.size]));
  const rows = await unmetEntries(tx, userId, upload.id, MAX_MANIFEST_PAGE);
  const unmet = rows
    .map((entry) => (recorded.has(entry.hash) ? { ...entry, present: true, chunkSize: recorded.get(entry.hash)! } : entry))
    .map((entry) => (proven.has(entry.hash) ? { ...entry, owned: true } : entry))
    .filter((entry) => !entry.present || !entry.owned || entry.chunkSize !== entry.size);
  const wrongSize = unmet.find((entry) => entry.chunkSize !== null && entry.present && entry.chunkSize !== entry.size);
  if (wrongSize) throw new PodError('invalid', `chunk ${wrongSize.hash} has ${wrongSize.chunkSize} bytes, not the ${wrongSize.size} its manifest entry #${wrongSize.idx} says`);
  const send = unmet.filter((entry) => !entry.present).map((entry) => entry.idx);
  const prove = unmet.filter((entry) => entry.present && !entry.owned).map((entry) => entry.idx);
  if (send.length === 0 && prove.length === 0) return;
  throw new PodError('conflict', `the upload is not complete: send ${send.length} chunk(s) and prove ${prove.length} first${rows.length === MAX_MANIFEST_PAGE ? ' (and maybe more)' : ''}`, { send, prove });
}
