import { PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { resolveItem } from './access.ts';
import { toEntry } from './entries.ts';
import { prepareMemberships, readViewer, writeViewer, type Memberships } from './viewer.ts';
import { emitChanged, withinQuota } from './tree.ts';
import { makeCurrent } from './versions.ts';
import { addRefs, addUsage, insertVersion, manifestFromVersion, versionRow, versionsOfNode } from './versions.repo.ts';

function notAFile(): PodError {
  return new PodError('invalid', 'only files have versions, not folders');
}

/** A file's versions, and bringing an earlier one back. */
export const versionOps: AppOps<FilesTables> = {
  'files.versions': {
    async read(input, request, ctx) {
      const { row: file } = await resolveItem(ctx.db, readViewer(ctx, request), input.target, 'versioned');
      if (file.kind !== 'file') throw notAFile();
      const rows = await versionsOfNode(ctx.db, Number(file.id));
      return {
        versions: rows.map((row) => ({ id: Number(row.id), size: Number(row.size), hash: row.hash, createdAt: row.created_at, current: Number(row.id) === Number(file.version_id) })),
      };
    },
  },
  'files.versions.restore': {
    prepare: (input, request, ctx) => prepareMemberships(ctx, request, [input.target]),
    async write(scope, input, request, ctx) {
      const { row: file } = await resolveItem(scope.tx, writeViewer(request, request.prepared as Memberships | undefined), input.target, 'versioned', 'write');
      // The new version is the owner's, on their quota.
      const userId = Number(file.user_id);
      if (file.kind !== 'file') throw notAFile();
      const old = await versionRow(scope.tx, input.version);
      if (!old || Number(old.node_id) !== Number(file.id)) throw new PodError('not_found', `this file has no version ${input.version}`);
      if (Number(old.id) === Number(file.version_id)) return { entry: toEntry(file) };
      const size = Number(old.size);
      const updated = await withinQuota(scope, userId, ctx.settings.filesQuotaBytes, async () => {
        const id = await insertVersion(scope.tx, { nodeId: Number(file.id), userId, size, hash: old.hash, manifest: old.manifest, chunkCount: Number(old.chunk_count), at: scope.now });
        await manifestFromVersion(scope.tx, id, Number(old.id));
        await addRefs(scope.tx, [id], Date.parse(scope.now));
        await addUsage(scope.tx, userId, size);
        return makeCurrent(scope, ctx.settings, file, { id, size, hash: old.hash, contentType: file.content_type });
      });
      await emitChanged(scope, userId, [updated], [], request.caller!.userId);
      return { entry: toEntry(updated) };
    },
  },
};
