import { MAX_MANIFEST_PAGE, PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { resolveItem } from './access.ts';
import { toEntry, type NodeRow } from './entries.ts';
import type { Db } from './nodes.repo.ts';
import { readViewer } from './viewer.ts';
import { manifestFrom, versionRow } from './versions.repo.ts';

/**
 * What the gateway needs to serve a download: a file the caller may read (the access check is here, in
 * the app, like every other) and the chunks covering its bytes from `offset` on, a page at a
 * time, so a manifest of any length fits the messenger.
 */
/** A file's (or one of its versions') details and the page of its manifest from `offset` on. */
export async function contentPage(db: Db, file: NodeRow, version: number | undefined, offset = 0) {
  const versionId = version ?? Number(file.version_id);
  const row = await versionRow(db, versionId);
  if (!row || Number(row.node_id) !== Number(file.id)) throw new PodError('not_found', `this file has no version ${versionId}`);
  const size = Number(row.size);
  const chunks = offset >= size ? [] : await manifestFrom(db, versionId, offset, MAX_MANIFEST_PAGE + 1);
  return { entry: toEntry(file), version: versionId, size, hash: row.hash, chunks: chunks.slice(0, MAX_MANIFEST_PAGE), more: chunks.length > MAX_MANIFEST_PAGE };
}

export const contentOps: AppOps<FilesTables> = {
  'files.content': {
    async read(input, request, ctx) {
      const { row: file } = await resolveItem(ctx.db, readViewer(ctx, request), input.target, 'downloaded');
      if (file.kind !== 'file') throw new PodError('invalid', `${typeof input.target === 'number' ? `item ${input.target}` : input.target} is a folder; download its files one by one`);
      return contentPage(ctx.db, file, input.version, input.offset);
    },
  },
};
