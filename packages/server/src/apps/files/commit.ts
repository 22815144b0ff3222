import { contentTypeOf, PodError } from '@pod/protocol';
import type { AppContext, OpHandler, RequestInfo } from '../../runtime/app.ts';
import { ownUpload, walkPlace } from './access.ts';
import type { FilesTables } from '../../store/schema.ts';
import { toEntry } from './entries.ts';
import { checkAllMet, hashAtCommit } from './manifest.ts';
import { childByName, insertNodeIfAbsent } from './nodes.repo.ts';
import { acceptProofs, recordAccepted, type Accepted } from './possession.ts';
import { checkWholeHash, manifestDigest, wholeHash } from './proofs.ts';
import { emitChanged, ensureFolders, newNode, withinQuota } from './tree.ts';
import type { Db } from './nodes.repo.ts';
import { deleteUploads, receivedOf, uploadEntries, type UploadRow } from './uploads.repo.ts';
import { makeCurrent } from './versions.ts';
import { addRefs, addUsage, hashOfManifest, insertVersion, manifestFromUpload } from './versions.repo.ts';
import { prepareMemberships, writeViewer, type Memberships } from './viewer.ts';

interface Prepared {
  accepted: Accepted;
  manifest: string;
  /**
   * The file's hash (see fileHash) and chunk count. Absent when seal.ops.ts prepares the
   * commit: its uploads declare them at begin.
   */
  hash?: string;
  chunkCount?: number;
  memberships: Memberships | undefined;
}

/** The file's SHA-256 as the client says: declared at begin, or given with the commit (and then the same, if both). */
function claimedHash(upload: UploadRow, given: string | undefined): string | undefined {
  if (hashAtCommit(upload)) return given;
  if (given !== undefined && given !== upload.hash) throw new PodError('invalid', `the upload began with SHA-256 ${upload.hash}, not ${given}`);
  return upload.hash;
}

/**
 * The file's SHA-256 as the server knows it without reading the chunks back: the gateway's,
 * which hashed them as it stored them (files.upload.streamed); that of the only chunk, checked
 * against its hash when stored; or that of a version with the same manifest, checked at its
 * commit.
 */
async function knownHash(db: Db, upload: UploadRow, manifest: string, count: number): Promise<string | undefined> {
  if (upload.streamed_hash !== null) return upload.streamed_hash;
  if (count === 1) return (await uploadEntries(db, upload.id, 0, 1))[0]!.hash;
  return hashOfManifest(db, manifest);
}

/**
 * The file's SHA-256: the one the server knows (knownHash), which the client's must match, or
 * the client's checked by reading the chunks back, or, when the client names none, the one
 * reading them back makes (each chunk checked on the way, since nothing else vouches for them).
 */
async function fileHash(ctx: Pick<AppContext<FilesTables>, 'db' | 'blobs'>, upload: UploadRow, claimed: string | undefined, manifest: string, count: number): Promise<string> {
  const known = await knownHash(ctx.db, upload, manifest, count);
  if (known !== undefined) {
    if (claimed !== undefined && claimed !== known) throw new PodError('invalid', `the chunks make a file whose SHA-256 is ${known}, not the declared ${claimed}`, { actual: known });
    return known;
  }
  if (claimed === undefined) return wholeHash(ctx.db, ctx.blobs, upload.id, true);
  await checkWholeHash(ctx.db, ctx.blobs, { ...upload, hash: claimed });
  return claimed;
}

/**
 * Makes an upload a file, or a new version of the file at its path (the current one is kept as
 * an earlier version). The slow checks run first, outside the transaction: proofs (a chunk
 * PUT's proof is checked at once, any other reads its chunk; a chunk not yet recorded must be
 * in the blob store), and the whole-file hash (fileHash: the chunks read back in order, unless
 * the server knows it otherwise). Then one transaction records the chunks sent, creates
 * the version, its manifest, the chunks' references and the caller's usage, and queues the
 * event: all of it or none.
 */
export const commitOp: OpHandler<'files.upload.commit', FilesTables> = {
  async prepare(input, request, ctx): Promise<Prepared> {
    const userId = request.caller!.userId;
    const upload = await ownUpload(ctx.db, userId, input.uploadId, Date.now());
    const accepted = await acceptProofs(ctx, userId, upload, input.proofs ?? []);
    const received = await receivedOf(ctx.db, upload.id);
    if (hashAtCommit(upload) ? received.bytes < Number(upload.size) : received.count < Number(upload.chunk_count)) {
      const declared = hashAtCommit(upload) ? `${received.bytes} of its ${upload.size} bytes` : `${received.count} of its ${upload.chunk_count} entries`;
      throw new PodError('invalid', `the manifest has ${declared}; send the rest with files.upload.manifest`);
    }
    const claimed = claimedHash(upload, input.hash);
    // What the proofs show is recorded with the commit; until then it counts as done here.
    await checkAllMet(ctx.db, userId, upload, accepted);
    const manifest = await manifestDigest(ctx.db, upload.id);
    const hash = await fileHash(ctx, upload, claimed, manifest, received.count);
    return { accepted, manifest, hash, chunkCount: received.count, memberships: await prepareMemberships(ctx, request, [upload.path]) };
  },
  async write(scope, input, request: RequestInfo & { prepared: Prepared }, ctx) {
    const userId = request.caller!.userId;
    const upload = await ownUpload(scope.tx, userId, input.uploadId, Date.parse(scope.now));
    const hash = request.prepared.hash ?? upload.hash;
    const chunkCount = request.prepared.chunkCount ?? Number(upload.chunk_count);
    // A manifest still open to change (hashAtCommit) must be the one checked above.
    if (hashAtCommit(upload) && (await manifestDigest(scope.tx, upload.id)) !== request.prepared.manifest) {
      throw new PodError('conflict', 'the manifest changed while the upload was being committed; commit again');
    }
    await recordAccepted(scope.tx, userId, request.prepared.accepted, Date.parse(scope.now));
    await checkAllMet(scope.tx, userId, upload);
    // Checked again here: a grant on the folder may have ended since the upload began.
    const { ownerId, names } = await walkPlace(scope.tx, writeViewer(request, request.prepared.memberships), upload.path);
    const name = names[names.length - 1]!;
    const folders = await ensureFolders(scope, ownerId, names.slice(0, -1));
    let file = await childByName(scope.tx, ownerId, folders.id, name);
    if (file?.kind === 'folder') throw new PodError('conflict', `${upload.path} is a folder`);
    if (file && !upload.overwrite) throw new PodError('conflict', `${upload.path} exists already; upload with overwrite to make a new version of it`);
    const size = Number(upload.size);
    // The file, its versions and their bytes are the owner's, on the owner's quota.
    const updated = await withinQuota(scope, ownerId, ctx.settings.filesQuotaBytes, async () => {
      // Two writers of one new file: whichever inserts second makes a new version of the first's.
      file ??= (await insertNodeIfAbsent(scope.tx, newNode(ownerId, folders.id, name, 'file', scope.now))) ?? (await childByName(scope.tx, ownerId, folders.id, name));
      if (!file || file.kind === 'folder') throw new PodError('conflict', `${upload.path} is a folder`);
      const versionId = await insertVersion(scope.tx, {
        nodeId: Number(file.id),
        userId: ownerId,
        size,
        hash,
        manifest: request.prepared.manifest,
        chunkCount,
        at: scope.now,
      });
      await manifestFromUpload(scope.tx, versionId, upload.id);
      await addRefs(scope.tx, [versionId], Date.parse(scope.now));
      await addUsage(scope.tx, ownerId, size);
      return makeCurrent(scope, ctx.settings, file, { id: versionId, size, hash, contentType: upload.content_type ?? contentTypeOf(name) });
    });
    await deleteUploads(scope.tx, [upload.id]);
    await emitChanged(scope, ownerId, [...folders.created, updated], [], userId);
    return { entry: toEntry(updated) };
  },
};
