import { PodError } from '@pod/protocol';
import type { AppOps, RequestInfo, WriteHandler } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownUpload } from './access.ts';
import { commitOp } from './commit.ts';
import { manifestDigest } from './proofs.ts';
import type { Scope } from './tree.ts';
import { addOwners, recordChunk } from './uploads.repo.ts';

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
};
