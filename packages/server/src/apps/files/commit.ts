import { contentTypeOf, PodError } from '@pod/protocol';
import type { OpHandler, RequestInfo } from '../../runtime/app.ts';
import { ownUpload, walkPlace } from './access.ts';
import type { FilesTables } from '../../store/schema.ts';
import { toEntry } from './entries.ts';
import { checkAllMet, hashAtCommit } from './manifest.ts';
import { childByName, insertNodeIfAbsent } from './nodes.repo.ts';
import { acceptProofs, recordAccepted, type Accepted } from './possession.ts';
import { checkWholeHash, manifestDigest } from './proofs.ts';
import { emitChanged, ensureFolders, newNode, withinQuota } from './tree.ts';
import type { Db } from './nodes.repo.ts';
import { deleteUploads, receivedOf, uploadEntries, type UploadRow } from './uploads.repo.ts';
import { makeCurrent } from './versions.ts';
import { addRefs, addUsage, contentKnown, insertVersion, manifestFromUpload } from './versions.repo.ts';
import { prepareMemberships, writeViewer, type Memberships } from './viewer.ts';

interface Prepared {
  accepted: Accepted;
  manifest: string;
  /**
   * The file's hash and chunk count: as declared at begin, or named by the commit (hashAtCommit).
   * Absent when seal.ops.ts prepares the commit: its uploads declare them at begin.
   */
  hash?: string;
  chunkCount?: number;
  memberships: Memberships | undefined;
}

/** The file's SHA-256: declared at begin, or given with the commit (and then the same, if both). */
function fileHash(upload: UploadRow, given: string | undefined): string {
  if (!hashAtCommit(upload)) {
    if (given !== undefined && given !== upload.hash) throw new PodError('invalid', `the upload began with SHA-256 ${upload.hash}, not ${given}`);
    return upload.hash;
  }
  if (given === undefined) throw new PodError('invalid', 'this upload began without the file\'s SHA-256: name it (hash) with the commit');
  return given;
}

/**
 * A file of one chunk is that chunk, whose bytes were checked against its hash when stored
 * (and whose size against the manifest): its whole-file hash needs no reading back.
 */
async function oneChunkWhole(db: Db, upload: UploadRow): Promise<boolean> {
  if (Number(upload.chunk_count) !== 1) return false;
  const [only] = await uploadEntries(db, upload.id, 0, 1);
  return only !== undefined && only.hash === upload.hash && only.size === Number(upload.size);
}

/**
 * Makes an upload a file, or a new version of the file at its path (the current one is kept as
 * an earlier version). The slow checks run first, outside the transaction: proofs (a chunk
 * PUT's proof is checked at once, any other reads its chunk; a chunk not yet recorded must be
 * in the blob store), and the whole-file hash (the chunks read back in order) unless this exact
 * content was stored and checked before. Then one transaction records the chunks sent, creates
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
    const whole = { ...upload, hash: fileHash(upload, input.hash), chunk_count: received.count };
    // What the proofs show is recorded with the commit; until then it counts as done here.
    await checkAllMet(ctx.db, userId, upload, accepted);
    const manifest = await manifestDigest(ctx.db, upload.id);
    if (upload.streamed_hash !== null) {
      // The gateway hashed these very chunks as it stored them (files.upload.streamed).
      if (upload.streamed_hash !== whole.hash) {
        throw new PodError('invalid', `the chunks make a file whose SHA-256 is ${upload.streamed_hash}, not the declared ${whole.hash}`, { actual: upload.streamed_hash });
      }
    } else if (!(await oneChunkWhole(ctx.db, whole)) && !(await contentKnown(ctx.db, whole.hash, manifest))) await checkWholeHash(ctx.db, ctx.blobs, whole);
    return { accepted, manifest, hash: whole.hash, chunkCount: received.count, memberships: await prepareMemberships(ctx, request, [upload.path]) };
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
