import { MAX_MANIFEST_PAGE, PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { resolveItem } from './access.ts';
import { toEntry } from './entries.ts';
import { manifestFrom, versionRow } from './versions.repo.ts';

/**
 * What the gateway needs to serve a download: the caller's file (the access check is here, in
 * the app, like every other) and the chunks covering its bytes from `offset` on, a page at a
 * time, so a manifest of any length fits the messenger.
 */
export const contentOps: AppOps<FilesTables> = {
  'files.content': {
    async read(input, request, ctx) {
      const file = await resolveItem(ctx.db, request.caller!.userId, input.target, 'downloaded');
      if (file.kind !== 'file') throw new PodError('invalid', `${typeof input.target === 'number' ? `item ${input.target}` : input.target} is a folder; download its files one by one`);
      const versionId = input.version ?? Number(file.version_id);
      const version = await versionRow(ctx.db, versionId);
      if (!version || Number(version.node_id) !== Number(file.id)) throw new PodError('not_found', `this file has no version ${versionId}`);
      const size = Number(version.size);
      const offset = input.offset ?? 0;
      const chunks = offset >= size ? [] : await manifestFrom(ctx.db, versionId, offset, MAX_MANIFEST_PAGE + 1);
      return { entry: toEntry(file), version: versionId, size, hash: version.hash, chunks: chunks.slice(0, MAX_MANIFEST_PAGE), more: chunks.length > MAX_MANIFEST_PAGE };
    },
  },
};
