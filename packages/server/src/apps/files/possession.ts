import { PodError, type ChunkProof } from '@pod/protocol';
import type { Transaction } from 'kysely';
import type { AppContext } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import type { Db } from './nodes.repo.ts';
import { verifyProofs } from './proofs.ts';
import { addOwners, chunkStates, declaredSize, recordChunks, unrecordedInOpenUploads, type UploadRow } from './uploads.repo.ts';

/** Blobs looked up at once when checking that proven chunks are stored. */
const PARALLEL_STATS = 16;

type BlobsContext = Pick<AppContext<FilesTables>, 'db' | 'blobs'>;
export type StoredChunk = { hash: string; size: number; storedBytes: number };

/**
 * What a caller has shown they hold, checked outside any transaction: the hashes proven, and
 * those of them that the commit must record as stored, with what they take there. A chunk PUT
 * writes nothing to the store (only its blob), so a chunk sent, or one whose blob was stored
 * for an upload that never finished, has no row until an upload that proves it commits.
 */
export interface Accepted {
  proven: string[];
  record: StoredChunk[];
}

export function collecting(hash: string): PodError {
  return new PodError('unavailable', `chunk ${hash} is being garbage-collected right now; send it again in a moment`, { retryAfterSeconds: 1 });
}

/**
 * Checks `proofs` for the caller's `upload` (see verifyProofs). A proven chunk not recorded as
 * present must be in the blob store (`conflict` with `resend` otherwise: the caller still has
 * the bytes); its size is the one its proof vouched for.
 */
export async function acceptProofs(ctx: BlobsContext, userId: number, upload: UploadRow, proofs: readonly ChunkProof[]): Promise<Accepted> {
  if (proofs.length === 0) return { proven: [], record: [] };
  const proven = await verifyProofs(ctx.blobs, upload, proofs, (hash) => declaredSize(ctx.db, userId, upload.id, hash, Date.now()));
  const states = await chunkStates(ctx.db, proven.map((chunk) => chunk.hash));
  const unrecordedChunks = new Map(proven.filter((chunk) => states.get(chunk.hash) !== 'present').map((chunk) => [chunk.hash, chunk]));
  const stored = await statAll(ctx, [...unrecordedChunks.keys()]);
  const missing = [...unrecordedChunks.keys()].filter((hash) => !stored.has(hash));
  if (missing.length > 0) throw new PodError('conflict', `the server does not hold ${missing.length} of the chunks proven; send their bytes`, { resend: missing });
  const record = [...unrecordedChunks.values()].map((chunk) => ({ hash: chunk.hash, size: chunk.size, storedBytes: stored.get(chunk.hash)! }));
  return { proven: proven.map((chunk) => chunk.hash), record };
}

/** In the commit's transaction: what acceptProofs found, recorded, and held by the caller. */
export async function recordAccepted(tx: Transaction<FilesTables>, userId: number, accepted: Accepted, nowMs: number): Promise<void> {
  const [taken] = await recordChunks(tx, accepted.record, nowMs);
  if (taken !== undefined) throw collecting(taken);
  await addOwners(tx, userId, accepted.proven);
}

/**
 * Of `hashes`, those with no row whose blobs are stored, and which an open upload of the user
 * names: most likely sent by this user for an upload that has not committed (one interrupted,
 * resuming; one refused). The user proves them rather than sending them again, since the
 * server cannot tell who sent them. Hashes no open upload of theirs names are not looked up.
 */
export async function storedUnrecorded(ctx: BlobsContext, userId: number, hashes: readonly string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const candidates = await unrecordedInOpenUploads(ctx.db as Db, userId, hashes, Date.now());
  return candidates.length === 0 ? new Set() : ctx.blobs.has(candidates);
}

/** What each stored blob of `hashes` takes in storage; absent ones are left out. */
async function statAll(ctx: BlobsContext, hashes: readonly string[]): Promise<Map<string, number>> {
  const stored = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < hashes.length) {
      const hash = hashes[next++]!;
      const stat = await ctx.blobs.stat(hash);
      if (stat) stored.set(hash, stat.storedBytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_STATS, hashes.length) }, worker));
  return stored;
}
