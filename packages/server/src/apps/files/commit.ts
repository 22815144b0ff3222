import { contentTypeOf, PodError } from '@pod/protocol';
import type { OpHandler, RequestInfo } from '../../runtime/app.ts';
import { ownUpload, walkPlace } from './access.ts';
import type { FilesTables } from '../../store/schema.ts';
import { toEntry } from './entries.ts';
import { checkAllMet } from './manifest.ts';
import { childByName, insertNodeIfAbsent } from './nodes.repo.ts';
import { checkWholeHash, manifestDigest, verifyProofs } from './proofs.ts';
import { emitChanged, ensureFolders, newNode, withinQuota } from './tree.ts';
import { addOwners, declaredSize, deleteUploads, receivedOf } from './uploads.repo.ts';
import { makeCurrent } from './versions.ts';
import { addRefs, addUsage, contentKnown, insertVersion, manifestFromUpload } from './versions.repo.ts';
import { prepareMemberships, writeViewer, type Memberships } from './viewer.ts';

interface Prepared {
  proven: string[];
  manifest: string;
  memberships: Memberships | undefined;
}

/**
 * Makes an upload a file, or a new version of the file at its path (the current one is kept as
 * an earlier version). The slow checks run first, outside the transaction: proofs (each reads
 * its chunk), and the whole-file hash (the chunks read back in order) unless this exact content
 * was stored and checked before. Then one transaction creates the version, its manifest, the
 * chunks' references and the caller's usage, and queues the event: all of it or none.
 */
export const commitOp: OpHandler<'files.upload.commit', FilesTables> = {
  async prepare(input, request, ctx): Promise<Prepared> {
    const userId = request.caller!.userId;
    const upload = await ownUpload(ctx.db, userId, input.uploadId, Date.now());
    const proven = input.proofs ? await verifyProofs(ctx.blobs, upload, input.proofs, (hash) => declaredSize(ctx.db, userId, upload.id, hash, Date.now())) : [];
    const received = await receivedOf(ctx.db, upload.id);
    if (received.count < Number(upload.chunk_count)) {
      throw new PodError('invalid', `the manifest has ${received.count} of its ${upload.chunk_count} entries; send the rest with files.upload.manifest`);
    }
    // Proofs are recorded with the commit; until then they count as held here.
    await checkAllMet(ctx.db, userId, upload, new Set(proven));
    const manifest = await manifestDigest(ctx.db, upload.id);
    if (!(await contentKnown(ctx.db, upload.hash, manifest))) await checkWholeHash(ctx.db, ctx.blobs, upload);
    return { proven, manifest, memberships: await prepareMemberships(ctx, request, [upload.path]) };
  },
  async write(scope, input, request: RequestInfo & { prepared: Prepared }, ctx) {
    const userId = request.caller!.userId;
    const upload = await ownUpload(scope.tx, userId, input.uploadId, Date.parse(scope.now));
    await addOwners(scope.tx, userId, request.prepared.proven);
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
        hash: upload.hash,
        manifest: request.prepared.manifest,
        chunkCount: Number(upload.chunk_count),
        at: scope.now,
      });
      await manifestFromUpload(scope.tx, versionId, upload.id);
      await addRefs(scope.tx, [versionId], Date.parse(scope.now));
      await addUsage(scope.tx, ownerId, size);
      return makeCurrent(scope, ctx.settings, file, { id: versionId, size, hash: upload.hash, contentType: upload.content_type ?? contentTypeOf(name) });
    });
    await deleteUploads(scope.tx, [upload.id]);
    await emitChanged(scope, ownerId, [...folders.created, updated], [], userId);
    return { entry: toEntry(updated) };
  },
};
