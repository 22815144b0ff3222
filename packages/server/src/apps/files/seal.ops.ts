import { pathNames, PodError } from '@pod/protocol';
import { createHash, randomBytes } from 'node:crypto';
import type { AppOps, RequestInfo, WriteHandler } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownUpload } from './access.ts';
import { commitOp } from './commit.ts';
import { applyPage, checkDeclaredSize } from './manifest.ts';
import { manifestDigest } from './proofs.ts';
import type { Scope } from './tree.ts';
import { addOwners, createUpload, recordChunk } from './uploads.repo.ts';

type Vouched = ReadonlyArray<{ hash: string; size: number; storedBytes: number }>;

/**
 * Records chunks the gateway stored for the caller's upload, as PUT /v1/files/uploads/..
 * does one at a time: present, and held by the caller, who sent their bytes.
 */
async function vouch(scope: Scope, userId: number, uploadId: string, chunks: Vouched): Promise<void> {
  const nowMs = Date.parse(scope.now);
  await ownUpload(scope.tx, userId, uploadId, nowMs);
  for (const chunk of chunks) {
    if (!(await recordChunk(scope.tx, chunk, nowMs))) {
      throw new PodError('unavailable', `chunk ${chunk.hash} is being garbage-collected right now; send the file again in a moment`, { retryAfterSeconds: 1 });
    }
  }
  await addOwners(scope.tx, userId, chunks.map((chunk) => chunk.hash));
}

const commit = commitOp as WriteHandler<'files.upload.commit', FilesTables, { proven: string[]; manifest: string }>;

/** The commit of uploads whose bytes the gateway read, chunked and hashed itself (WebDAV PUT). */
export const sealOps: AppOps<FilesTables> = {
  'files.upload.vouch': {
    async write(scope, input, request) {
      await vouch(scope, request.caller!.userId, input.uploadId, input.chunks);
      return {};
    },
  },
  'files.upload.seal': {
    async prepare(input, request, ctx) {
      await ownUpload(ctx.db, request.caller!.userId, input.uploadId, Date.now());
      return { proven: [], manifest: await manifestDigest(ctx.db, input.uploadId) };
    },
    async write(scope, input, request: RequestInfo & { prepared: { proven: string[]; manifest: string } }, ctx) {
      await vouch(scope, request.caller!.userId, input.uploadId, input.chunks);
      return commit.write(scope, { uploadId: input.uploadId }, request, ctx);
    },
  },
  'files.upload.put': {
    async prepare(input) {
      // The same digest manifestDigest computes from stored entries.
      const digest = createHash('sha256');
      for (const chunk of input.chunks) digest.update(`${chunk.hash} ${chunk.size}\n`);
      return { proven: [], manifest: digest.digest('hex') };
    },
    async write(scope, input, request: RequestInfo & { prepared: { proven: string[]; manifest: string } }, ctx) {
      const userId = request.caller!.userId;
      if (pathNames(input.path).length === 0) throw new PodError('invalid', 'name the file to upload, not the root folder');
      checkDeclaredSize(input.size, input.chunks.length);
      const upload = {
        id: randomBytes(16).toString('base64url'),
        user_id: userId,
        path: input.path,
        size: input.size,
        hash: input.hash,
        chunk_count: input.chunks.length,
        content_type: null,
        overwrite: 1,
        nonce: randomBytes(32).toString('hex'),
        created_at: scope.now,
        expires_at: Date.parse(scope.now) + ctx.settings.filesUploadTtlMs,
      };
      await createUpload(scope.tx, upload);
      await applyPage(scope.tx, upload, 0, input.chunks);
      await vouch(scope, userId, upload.id, input.vouched);
      return commit.write(scope, { uploadId: upload.id }, request, ctx);
    },
  },
};
