import { MAX_MANIFEST_PAGE, PodError } from '@pod/protocol';
import { randomBytes } from 'node:crypto';
import type { AppOps, RequestInfo } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownUpload, walkPlace } from './access.ts';
import { applyPage, checkDeclaredSize, needsOf, pageNeeds } from './manifest.ts';
import { acceptProofs, collecting, recordAccepted, storedUnrecorded, type Accepted } from './possession.ts';
import { receiptFor } from './proofs.ts';
import { quotaExceeded, type Scope } from './tree.ts';
import {
  chunkStates,
  createUpload,
  deleteUploads,
  expectedChunk,
  extendUpload,
  markDamaged,
  openUploadCount,
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

/** The upload protocol (but the commit, commit.ts): begin, more manifest, status, proofs, cancel; and the gateway's internal calls. */
export const uploadOps: AppOps<FilesTables> = {
  'files.upload.begin': {
    async prepare(input, request, ctx) {
      // Chunks an earlier run sent (resuming, or after a refused commit) are stored but not recorded: the commit records them.
      const stored = await storedUnrecorded(ctx, request.caller!.userId, input.chunks.map((chunk) => chunk.hash));
      return { memberships: await prepareMemberships(ctx, request, [input.path]), stored };
    },
    async write(scope, input, request: RequestInfo & { prepared: { memberships: Memberships | undefined; stored: Set<string> } }, ctx) {
      const userId = request.caller!.userId;
      const nowMs = Date.parse(scope.now);
      checkDeclaredSize(input.size, input.chunkCount);
      if (input.chunks.length > input.chunkCount) throw new PodError('invalid', `the manifest has ${input.chunkCount} entries (chunkCount), not ${input.chunks.length}`);
      const overwrite = input.overwrite ?? true;
      const ownerId = await checkTarget(scope, writeViewer(request, request.prepared.memberships), input.path, overwrite);
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
          receipt_key: randomBytes(32).toString('hex'),
          created_at: scope.now,
          expires_at: expiresAt,
        };
        await createUpload(scope.tx, upload);
      }
      const received = await applyPage(scope.tx, upload, 0, input.chunks);
      const needs = await needsOf(scope.tx, userId, input.chunks.map((chunk, idx) => ({ idx, hash: chunk.hash })), request.prepared.stored);
      return { uploadId: upload.id, nonce: upload.nonce, expiresAt: new Date(expiresAt).toISOString(), chunkCount: input.chunkCount, received, ...needs };
    },
  },
  'files.upload.manifest': {
    prepare: (input, request, ctx) => storedUnrecorded(ctx, request.caller!.userId, input.chunks.map((chunk) => chunk.hash)),
    async write(scope, input, request: RequestInfo & { prepared: Set<string> }, ctx) {
      const upload = await ownUpload(scope.tx, request.caller!.userId, input.uploadId, Date.parse(scope.now));
      const received = await applyPage(scope.tx, upload, input.from, input.chunks);
      await extendUpload(scope.tx, upload.id, Date.parse(scope.now) + ctx.settings.filesUploadTtlMs);
      const needs = await needsOf(scope.tx, request.caller!.userId, input.chunks.map((chunk, index) => ({ idx: input.from + index, hash: chunk.hash })), request.prepared);
      return { received, ...needs };
    },
  },
  'files.upload.status': {
    async read(input, request, ctx) {
      const userId = request.caller!.userId;
      const upload = await ownUpload(ctx.db, userId, input.uploadId, Date.now());
      const from = input.from ?? 0;
      const needs = await pageNeeds(ctx, userId, upload, from);
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
      return acceptProofs(ctx, userId, await ownUpload(ctx.db, userId, input.uploadId, Date.now()), input.proofs);
    },
    async write(scope, input, request: RequestInfo & { prepared: Accepted }, ctx) {
      const upload = await ownUpload(scope.tx, request.caller!.userId, input.uploadId, Date.parse(scope.now));
      await recordAccepted(scope.tx, request.caller!.userId, request.prepared, Date.parse(scope.now));
      await extendUpload(scope.tx, upload.id, Date.parse(scope.now) + ctx.settings.filesUploadTtlMs);
      return { proven: request.prepared.proven.length };
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
      const expected = await expectedChunk(ctx.db, request.caller!.userId, input.uploadId, input.hash, Date.now());
      if (!expected) throw new PodError('not_found', `chunk ${input.hash} is not part of an open upload ${input.uploadId} of yours`);
      // Its blob is being removed; taking the bytes now could see them removed right after.
      if ((await chunkStates(ctx.db, [input.hash])).get(input.hash) === 'deleting') throw collecting(input.hash);
      // Nothing is written: the open upload protects the blob from the collector until the commit records it.
      return { size: expected.size, proof: receiptFor(expected, input.hash, expected.size) };
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
