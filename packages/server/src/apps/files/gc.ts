import type { AppContext } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { claimOrphans, dyingChunks, expiredUploads, forgetChunks, markCollectable, unrecorded, unrecordedOfUploads } from './gc.repo.ts';
import { deleteUploads } from './uploads.repo.ts';

const BATCH = 500;
/** The whole blob store is listed this often to find blobs no row records (see collectOrphans). */
const ORPHAN_SCAN_MS = 6 * 60 * 60 * 1000;

export type GcContext = Pick<AppContext<FilesTables>, 'db' | 'blobs' | 'log' | 'settings'>;

export interface GcReport {
  uploadsExpired: number;
  chunksCollected: number;
  orphansCollected: number;
}

/**
 * Collects what no file needs any more. Each step is safe to stop anywhere (a crash) and to run
 * in several processes at once: a chunk is first marked 'deleting' in the store (from then on
 * it counts as absent: no commit may reference it, no upload may take it), then its blob is
 * removed, then its row; a later sweep finishes what an earlier one started. References are
 * counted in the transactions that change manifests, so a chunk with references is never
 * marked. `nowMs` is a parameter so a test can look past the grace period without waiting.
 */
export async function collectGarbage(ctx: GcContext, nowMs = Date.now(), options: { orphans?: boolean } = {}): Promise<GcReport> {
  const report: GcReport = { uploadsExpired: await expireUploads(ctx, nowMs), chunksCollected: 0, orphansCollected: 0 };
  await markUnreferenced(ctx, nowMs);
  report.chunksCollected = await removeDying(ctx);
  if (options.orphans) report.orphansCollected = await collectOrphans(ctx, nowMs);
  return report;
}

/**
 * Removes expired uploads. The blobs they stored that no row records (a chunk PUT writes none;
 * the commit that would have did not come) are claimed first, like orphans, so that the next
 * step removes them, unless another open upload names them.
 */
export async function expireUploads(ctx: GcContext, nowMs: number): Promise<number> {
  let expired = 0;
  for (;;) {
    const ids = await expiredUploads(ctx.db, nowMs, BATCH);
    if (ids.length === 0) return expired;
    for (let after = ''; ; ) {
      const hashes = await unrecordedOfUploads(ctx.db, ids, after, BATCH);
      if (hashes.length === 0) break;
      after = hashes[hashes.length - 1]!;
      const stored = [...(await ctx.blobs.has(hashes))];
      if (stored.length > 0) await ctx.db.transaction().execute((tx) => claimOrphans(tx, stored, nowMs));
    }
    await ctx.db.transaction().execute((tx) => deleteUploads(tx, ids));
    expired += ids.length;
  }
}

/** Step one: marks chunks unreferenced for longer than the grace period. */
export async function markUnreferenced(ctx: GcContext, nowMs: number): Promise<number> {
  const cutoff = nowMs - ctx.settings.filesGcGraceMs;
  let marked = 0;
  for (;;) {
    const hashes = await ctx.db.transaction().execute((tx) => markCollectable(tx, cutoff, nowMs, BATCH));
    marked += hashes.length;
    if (hashes.length < BATCH) return marked;
  }
}

/** Steps two and three: removes the blobs of marked chunks, then their rows. */
export async function removeDying(ctx: GcContext): Promise<number> {
  let removed = 0;
  for (;;) {
    const hashes = await dyingChunks(ctx.db, BATCH);
    if (hashes.length === 0) return removed;
    for (const hash of hashes) await ctx.blobs.delete(hash);
    await ctx.db.transaction().execute((tx) => forgetChunks(tx, hashes));
    removed += hashes.length;
  }
}

/**
 * Blobs with no row: the gateway stored them for an upload and the process died before the
 * files app recorded them, or the upload expired meanwhile. Claimed with a 'deleting' row and
 * removed like any other, unless an open upload names them.
 */
export async function collectOrphans(ctx: GcContext, nowMs: number): Promise<number> {
  let claimed = 0;
  let page: string[] = [];
  const flush = async () => {
    const orphans = await unrecorded(ctx.db, page);
    page = [];
    if (orphans.length === 0) return;
    claimed += (await ctx.db.transaction().execute((tx) => claimOrphans(tx, orphans, nowMs))).length;
  };
  for await (const hash of ctx.blobs.list()) {
    page.push(hash);
    if (page.length === BATCH) await flush();
  }
  await flush();
  if (claimed > 0) await removeDying(ctx);
  return claimed;
}

/** The background sweep of the files app, like presence's: a few times per grace period, never overlapping. */
export function startCollector(ctx: GcContext): () => void {
  const everyMs = Math.min(10 * 60_000, Math.max(1000, ctx.settings.filesGcGraceMs / 4));
  let running = false;
  let stopped = false;
  let lastOrphanScan = Date.now();
  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const orphans = Date.now() - lastOrphanScan >= ORPHAN_SCAN_MS;
      const report = await collectGarbage(ctx, Date.now(), { orphans });
      if (orphans) lastOrphanScan = Date.now();
      if (report.chunksCollected + report.orphansCollected + report.uploadsExpired > 0) ctx.log.info(report, 'files garbage collected');
    } catch (error) {
      // Stopping closes the store under a sweep in flight; that is not worth a warning.
      if (!stopped) ctx.log.warn({ err: error }, 'files garbage collection failed; the next sweep retries');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
