import { defineApp } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { commitOp } from './commit.ts';
import { contentOps } from './content.ops.ts';
import { startCollector } from './gc.ts';
import { searchOps } from './search.ops.ts';
import { trashOps } from './trash.ops.ts';
import { treeOps } from './tree.ops.ts';
import { uploadOps } from './upload.ops.ts';
import { versionOps } from './versions.ops.ts';
import { attachOps } from './attach.ops.ts';
import { linkOps } from './links.ops.ts';
import { sharingOps } from './sharing.ops.ts';
import { universeOps } from './universe.ops.ts';

/**
 * Network storage: each user's file tree (folders, files, versions, trash) over
 * content-defined chunks stored once in the blob store, uploaded resumably with proof of
 * possession, and collected when nothing references them any more; shared with users and
 * buddy groups, by link, or published to the pod universe.
 */
export const filesApp = defineApp<FilesTables>({
  name: 'files',
  ops: { ...treeOps, ...trashOps, ...versionOps, ...searchOps, ...uploadOps, 'files.upload.commit': commitOp, ...contentOps, ...sharingOps, ...linkOps, ...universeOps, ...attachOps },
  start: (ctx) => startCollector(ctx),
});
