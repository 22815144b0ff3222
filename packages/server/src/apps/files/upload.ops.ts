import { MAX_MANIFEST_PAGE, PodError } from '@pod/protocol';
import { randomBytes } from 'node:crypto';
import type { AppOps, RequestInfo } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownUpload, walkPlace } from './access.ts';
import { applyPage, checkDeclaredSize, hashAtCommit, needsOf, pageNeeds } from './manifest.ts';
import { acceptProofs, collecting, recordAccepted, storedUnrecorded, type Accepted } from './possession.ts';
import { manifestDigest, receiptFor } from './proofs.ts';
import { quotaExceeded, type Scope } from './tree.ts';
import {
  chunkStates,
  createUpload,
  deleteUploads,
  expectedChunks,
  extendUpload,
  markDamaged,
  openUploadCount,
  receivedOf,
  resumableUpload,
  setStreamedHash,
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
      if ((input.hash === undefined) !== (input.chunkCount === undefined)) {
        throw new PodError('invalid', 'give hash and chunkCount together, or neither (the hash is then settled at the commit)');
      }
      if (input.chunkCount === undefined) {
        if (input.size === 0) throw new PodError('invalid', 'an empty file has no chunks: begin it with its hash and chunkCount 0');
      } else {
        checkDeclaredSize(input.size, input.chunkCount);
        if (input.chunks.length > input.chunkCount) throw new PodError('invalid', `the manifest has ${input.chunkCount} entries (chunkCount), not ${input.chunks.length}`);
      }
      // An upload begun without its hash is stored with hash '' and chunk count 0 (see hashAtCommit).
      const declared = { path: input.path, size: input.size, hash: input.hash ?? '', chunkCount: input.chunkCount ?? 0 };
      const overwrite = input.overwrite ?? true;
      const ownerId = await checkTarget(scope, writeViewer(request, request.prepared.memberships), input.path, overwrite);
      const quota = ctx.settings.filesQuotaBytes;
      // Early word for the uploader, before any byte is sent; the commit decides. The bytes count against the owner.
      if (quota > 0) {
        const used = await usageOf(scope.tx, ownerId);
        if (used + input.size > quota) throw quotaExceeded(used, input.size, quota);
      }
      const expiresAt = nowMs + ctx.settings.filesUploadTtlMs;
      let upload = await resumableUpload(scope.tx, userId, declared, nowMs);
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
          hash: declared.hash,
          chunk_count: declared.chunkCount,
          content_type: input.type ?? null,
          overwrite: overwrite ? 1 : 0,
          nonce: randomBytes(32).toString('hex'),
          receipt_key: randomBytes(32).toString('hex'),
          streamed_hash: null,
          created_at: scope.now,
          expires_at: expiresAt,
        };
        await createUpload(scope.tx, upload);
      }
      const received = await applyPage(scope.tx, upload, 0, input.chunks);
      const needs = await needsOf(scope.tx, userId, input.chunks.map((chunk, idx) => ({ idx, hash: chunk.hash })), request.prepared.stored);
      const chunkCount = input.chunkCount === undefined ? {} : { chunkCount: input.chunkCount };
      return { uploadId: upload.id, nonce: upload.nonce, expiresAt: new Date(expiresAt).toISOString(), ...chunkCount, received, ...needs };
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
        ...(hashAtCommit(upload) ? {} : { chunkCount: Number(upload.chunk_count) }),
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
      const { sizes, receiptKey } = await expectedChunks(ctx.db, request.caller!.userId, input.uploadId, input.hashes, Date.now());
      const unknown = input.hashes.find((hash) => !sizes.has(hash));
      if (unknown !== undefined || receiptKey === undefined) throw new PodError('not_found', `chunk ${unknown} is not part of an open upload ${input.uploadId} of yours`);
      // A blob being removed: taking the bytes now could see them removed right after.
      const states = await chunkStates(ctx.db, input.hashes);
      const deleting = input.hashes.find((hash) => states.get(hash) === 'deleting');
      if (deleting !== undefined) throw collecting(deleting);
      // Nothing is written: the open upload protects the blobs from the collector until the commit records them.
      const chunks = input.hashes.map((hash) => ({ hash, size: sizes.get(hash)!, proof: receiptFor({ receipt_key: receiptKey }, hash, sizes.get(hash)!) }));
      return { chunks };
    },
  },
  'files.upload.streamed': {
    async prepare(input, request, ctx) {
      const upload = await ownUpload(ctx.db, request.caller!.userId, input.uploadId, Date.now());
      const received = await receivedOf(ctx.db, upload.id);
      // Only a batch that carried the whole manifest, in order, saw the file's bytes: any other says nothing of it.
      const whole = received.bytes === Number(upload.size) && received.count === input.entries && (await manifestDigest(ctx.db, upload.id)) === input.manifest;
      return { whole, manifest: input.manifest };
    },
    async write(scope, input, request: RequestInfo & { prepared: { whole: boolean; manifest: string } }, ctx) {
      const upload = await ownUpload(scope.tx, request.caller!.userId, input.uploadId, Date.parse(scope.now));
      // A batch may take long: the upload stays open from its end as from any other step.
      await extendUpload(scope.tx, upload.id, Date.parse(scope.now) + ctx.settings.filesUploadTtlMs);
      // Checked again: a manifest still open to change (hashAtCommit) may have changed meanwhile.
      if (request.prepared.whole && (await manifestDigest(scope.tx, upload.id)) === request.prepared.manifest) await setStreamedHash(scope.tx, upload.id, input.content);
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
