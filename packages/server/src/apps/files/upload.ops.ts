import { MAX_MANIFEST_PAGE, PodError } from '@pod/protocol';
import { randomBytes } from 'node:crypto';
import type { AppOps, RequestInfo } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownUpload, walkPlace } from './access.ts';
import { applyPage, checkDeclaredSize, needsOf, pageNeeds } from './manifest.ts';
import { verifyProofs } from './proofs.ts';
import { quotaExceeded, type Scope } from './tree.ts';
import {
  addOwners,
  chunkState,
  createUpload,
  declaredSize,
  deleteUploads,
  extendUpload,
  markDamaged,
  openUploadCount,
  recordChunk,
  resumableUpload,
  uploadEntries,
} from './uploads.repo.ts';
import { usageOf } from './versions.repo.ts';
import { prepareMemberships, writeViewer, type Viewer, type Memberships } from './viewer.ts';

/** Unfinished uploads one user may have open at once. */
const MAX_OPEN_UPLOADS = 1000;

/**
 * Refuses at once an upload to where no file can go, before any byte is sent (the commit
 * checks again). Answers whose tree the file goes in: the caller's, or the owner's of a
 * folder shared with them for writing.
 */
async function checkTarget(scope: Scope, viewer: Viewer, path: string, overwrite: boolean): Promise<number> {
  const { ownerId, names, walked } = await walkPlace(scope.tx, viewer, path);
  if (names.length === 0) throw new PodError('invalid', 'name the file to upload, not the root folder');
  if (walked.missing > 0) return ownerId;
  const existing = walked.rows[walked.rows.length - 1]!;
  if (existing.kind === 'folder') throw new PodError('conflict', `${path} is a folder`);
  if (!overwrite) throw new PodError('conflict', `${path} exists already; upload with overwrite to make a new version of it`);
  return ownerId;
}

/** The upload protocol (but the commit, commit.ts): begin, more manifest, status, proofs, cancel; and the gateway's two internal calls. */
export const uploadOps: AppOps<FilesTables> = {
  'files.upload.begin': {
    prepare: (input, request, ctx) => prepareMemberships(ctx, request, [input.path]),
    async write(scope, input, request, ctx) {
      const userId = request.caller!.userId;
      const nowMs = Date.parse(scope.now);
      checkDeclaredSize(input.size, input.chunkCount);
      if (input.chunks.length > input.chunkCount) throw new PodError('invalid', `the manifest has ${input.chunkCount} entries (chunkCount), not ${input.chunks.length}`);
      const overwrite = input.overwrite ?? true;
      const ownerId = await checkTarget(scope, writeViewer(request, request.prepared as Memberships | undefined), input.path, overwrite);
      const quota = ctx.settings.filesQuotaBytes;
      // Early word for the uploader, before any byte is sent; the commit decides. The bytes count against the owner.
      if (quota > 0) {
        const used = await usageOf(scope.tx, ownerId);
        if (used + input.size > quota) throw quotaExceeded(used, input.size, quota);
      }
      const expiresAt = nowMs + ctx.settings.filesUploadTtlMs;
      let upload = await resumableUpload(scope.tx, userId, input, nowMs);
      if (upload) {
        const known = await uploadEntries(scope.tx, upload.id, 0, input.chunks.length);
        if (known.some((entry, index) => entry.hash !== input.chunks[index]!.hash || entry.size !== input.chunks[index]!.size)) upload = undefined;
      }
      if (upload) await extendUpload(scope.tx, upload.id, expiresAt);
      else {
        if ((await openUploadCount(scope.tx, userId, nowMs)) >= MAX_OPEN_UPLOADS) {
          throw new PodError('conflict', `you have ${MAX_OPEN_UPLOADS} unfinished uploads; commit or cancel some first`);
        }
        upload = {
          id: randomBytes(16).toString('base64url'),
          user_id: userId,
          path: input.path,
          size: input.size,
          hash: input.hash,
          chunk_count: input.chunkCount,
          content_type: input.type ?? null,
          overwrite: overwrite ? 1 : 0,
          nonce: randomBytes(32).toString('hex'),
          created_at: scope.now,
          expires_at: expiresAt,
        };
        await createUpload(scope.tx, upload);
      }
      const received = await applyPage(scope.tx, upload, 0, input.chunks);
      const needs = await needsOf(scope.tx, userId, input.chunks.map((chunk, idx) => ({ idx, hash: chunk.hash })));
      return { uploadId: upload.id, nonce: upload.nonce, expiresAt: new Date(expiresAt).toISOString(), chunkCount: input.chunkCount, received, ...needs };
    },
  },
  'files.upload.manifest': {
    async write(scope, input, request, ctx) {
      const upload = await ownUpload(scope.tx, request.caller!.userId, input.uploadId, Date.parse(scope.now));
      const received = await applyPage(scope.tx, upload, input.from, input.chunks);
      await extendUpload(scope.tx, upload.id, Date.parse(scope.now) + ctx.settings.filesUploadTtlMs);
      const needs = await needsOf(scope.tx, request.caller!.userId, input.chunks.map((chunk, index) => ({ idx: input.from + index, hash: chunk.hash })));
      return { received, ...needs };
    },
  },
  'files.upload.status': {
    async read(input, request, ctx) {
      const userId = request.caller!.userId;
      const upload = await ownUpload(ctx.db, userId, input.uploadId, Date.now());
      const from = input.from ?? 0;
      const needs = await pageNeeds(ctx.db, userId, upload, from);
      return {
        ...needs,
        chunkCount: Number(upload.chunk_count),
        expiresAt: new Date(Number(upload.expires_at)).toISOString(),
        ...(from + MAX_MANIFEST_PAGE < needs.received ? { next: from + MAX_MANIFEST_PAGE } : {}),
      };
    },
  },
  'files.upload.prove': {
    async prepare(input, request, ctx) {
      const userId = request.caller!.userId;
      const upload = await ownUpload(ctx.db, userId, input.uploadId, Date.now());
      return verifyProofs(ctx.blobs, upload, input.proofs, (hash) => declaredSize(ctx.db, userId, upload.id, hash, Date.now()));
    },
    async write(scope, input, request: RequestInfo & { prepared: string[] }, ctx) {
      const upload = await ownUpload(scope.tx, request.caller!.userId, input.uploadId, Date.parse(scope.now));
      await addOwners(scope.tx, request.caller!.userId, request.prepared);
      await extendUpload(scope.tx, upload.id, Date.parse(scope.now) + ctx.settings.filesUploadTtlMs);
      return { proven: request.prepared.length };
    },
  },
  'files.upload.cancel': {
    async write(scope, input, request) {
      const upload = await ownUpload(scope.tx, request.caller!.userId, input.uploadId, Date.parse(scope.now));
      await deleteUploads(scope.tx, [upload.id]);
      return {};
    },
  },
  'files.upload.expect': {
    async read(input, request, ctx) {
      const size = await declaredSize(ctx.db, request.caller!.userId, input.uploadId, input.hash, Date.now());
      if (size === undefined) throw new PodError('not_found', `chunk ${input.hash} is not part of an open upload ${input.uploadId} of yours`);
      // Its blob is being removed; taking the bytes now could see them removed right after.
      if ((await chunkState(ctx.db, input.hash)) === 'deleting') throw collecting(input.hash);
      return { size };
    },
  },
  'files.upload.stored': {
    async write(scope, input, request, ctx) {
      const userId = request.caller!.userId;
      const nowMs = Date.parse(scope.now);
      const size = await declaredSize(scope.tx, userId, input.uploadId, input.hash, nowMs);
      if (size === undefined) throw new PodError('not_found', `chunk ${input.hash} is not part of an open upload ${input.uploadId} of yours`);
      if (size !== input.size) throw new PodError('invalid', `chunk ${input.hash} has ${input.size} bytes, not the ${size} the manifest says`);
      if (!(await recordChunk(scope.tx, input, nowMs))) throw collecting(input.hash);
      // Sending the bytes is the strongest proof of holding them.
      await addOwners(scope.tx, userId, [input.hash]);
      await extendUpload(scope.tx, input.uploadId, nowMs + ctx.settings.filesUploadTtlMs);
      return {};
    },
  },
  'files.chunk.damaged': {
    async write(scope, input, _request, ctx) {
      await markDamaged(scope.tx, input.hash);
      ctx.log.error({ hash: input.hash }, 'a stored chunk is corrupt; uploads will be asked to send it again');
      return {};
    },
  },
};

function collecting(hash: string): PodError {
  return new PodError('unavailable', `chunk ${hash} is being garbage-collected right now; send it again in a moment`, { retryAfterSeconds: 1 });
}
