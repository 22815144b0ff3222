import { isSharedPath, pathNames, PodError, splitSharedPath, type OpInput } from '@pod/protocol';
import { createHash, randomBytes } from 'node:crypto';
import type { Blobs, SmallBlob } from '../../blobs/index.ts';
import type { ValuesDb } from '../../blobs/values.ts';
import type { AppOps, RequestInfo, WriteHandler } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownUpload } from './access.ts';
import { commitOp } from './commit.ts';
import { applyPage, checkDeclaredSize, needsOf } from './manifest.ts';
import { collecting } from './possession.ts';
import { manifestDigest } from './proofs.ts';
import type { Scope } from './tree.ts';
import { addOwners, createUpload, recordChunks } from './uploads.repo.ts';
import { prepareMemberships, type Memberships } from './viewer.ts';

type Vouched = ReadonlyArray<{ hash: string; size: number; storedBytes: number }>;
type Prepared = { accepted: { proven: string[]; record: [] }; manifest: string; memberships: Memberships | undefined; small?: SmallBlob };

/**
 * Records chunks the gateway stored for the caller's upload, having read their bytes from the
 * caller: present, and held by the caller.
 */
async function vouch(scope: Scope, userId: number, uploadId: string, chunks: Vouched): Promise<void> {
  await ownUpload(scope.tx, userId, uploadId, Date.parse(scope.now));
  const [taken] = await recordChunks(scope.tx, chunks, Date.parse(scope.now));
  if (taken !== undefined) throw collecting(taken);
  await addOwners(scope.tx, userId, chunks.map((chunk) => chunk.hash));
}

const commit = commitOp as WriteHandler<'files.upload.commit', FilesTables, Prepared>;
const nothingProven = () => ({ proven: [], record: [] as [] });

/** The commit of uploads whose bytes the gateway read, chunked and hashed itself (WebDAV PUT, PUT /v1/files/content). */
export const sealOps: AppOps<FilesTables> = {
  'files.upload.vouch': {
    async write(scope, input, request) {
      await vouch(scope, request.caller!.userId, input.uploadId, input.chunks);
      return {};
    },
  },
  'files.upload.seal': {
    async prepare(input, request, ctx): Promise<Prepared> {
      const upload = await ownUpload(ctx.db, request.caller!.userId, input.uploadId, Date.now());
      return { accepted: nothingProven(), manifest: await manifestDigest(ctx.db, input.uploadId), memberships: await prepareMemberships(ctx, request, [upload.path]) };
    },
    async write(scope, input, request: RequestInfo & { prepared: Prepared }, ctx) {
      await vouch(scope, request.caller!.userId, input.uploadId, input.chunks);
      return commit.write(scope, { uploadId: input.uploadId }, request, ctx);
    },
  },
  'files.upload.put': {
    async prepare(input, request, ctx): Promise<Prepared> {
      const small = input.content === undefined ? undefined : await smallContent(input, ctx.blobs);
      // Chunks not vouched for must be held by the caller already: refused here, before a transaction, when not.
      const vouched = new Set([...input.vouched.map((chunk) => chunk.hash), ...(small ? [small.hash] : [])]);
      const needs = await needsOf(ctx.db, request.caller!.userId, input.chunks.flatMap((chunk, idx) => (vouched.has(chunk.hash) ? [] : [{ idx, hash: chunk.hash }])));
      if (needs.send.length + needs.prove.length > 0) {
        throw new PodError('conflict', `the pod does not hold this content for you: send the file's bytes`, { send: needs.send, prove: needs.prove });
      }
      // The same digest manifestDigest computes from stored entries.
      const digest = createHash('sha256');
      for (const chunk of input.chunks) digest.update(`${chunk.hash} ${chunk.size}\n`);
      return { accepted: nothingProven(), manifest: digest.digest('hex'), memberships: await prepareMemberships(ctx, request, [input.path]), ...(small ? { small } : {}) };
    },
    async write(scope, input, request: RequestInfo & { prepared: Prepared }, ctx) {
      const userId = request.caller!.userId;
      if (pathNames(isSharedPath(input.path) ? splitSharedPath(input.path).path : input.path).length === 0) throw new PodError('invalid', 'name the file to upload, not the root folder');
      checkDeclaredSize(input.size, input.chunks.length);
      const upload = {
        id: randomBytes(16).toString('base64url'),
        user_id: userId,
        path: input.path,
        size: input.size,
        hash: input.hash,
        chunk_count: input.chunks.length,
        content_type: input.type ?? null,
        overwrite: input.overwrite === false ? 0 : 1,
        nonce: randomBytes(32).toString('hex'),
        receipt_key: randomBytes(32).toString('hex'),
        created_at: scope.now,
        expires_at: Date.parse(scope.now) + ctx.settings.filesUploadTtlMs,
      };
      await createUpload(scope.tx, upload);
      await applyPage(scope.tx, upload, 0, input.chunks);
      const { small } = request.prepared;
      // The store's own transaction: the blob store writes only its table in it.
      if (small) await ctx.blobs.keepWithin(scope.tx as unknown as ValuesDb, small);
      const vouched = small ? [...input.vouched, { hash: small.hash, size: input.size, storedBytes: small.value.length }] : input.vouched;
      if (vouched.length > 0) await vouch(scope, userId, upload.id, vouched);
      return commit.write(scope, { uploadId: upload.id }, request, ctx);
    },
  },
};

/**
 * The bytes of a small file the gateway sent with its commit, checked against the file it
 * describes (one chunk, the whole file) and made ready to keep in the commit's transaction.
 */
async function smallContent(input: OpInput<'files.upload.put'>, blobs: Blobs): Promise<SmallBlob> {
  const bytes = Buffer.from(input.content!, 'base64');
  const [chunk, ...more] = input.chunks;
  if (!chunk || more.length > 0 || chunk.hash !== input.hash || chunk.size !== input.size || bytes.length !== input.size) {
    throw new PodError('invalid', `content is sent for a file of one chunk that is the whole file: ${bytes.length} bytes sent for a file of ${input.size} in ${input.chunks.length} chunk(s)`);
  }
  return blobs.prepareSmall(input.hash, bytes);
}
