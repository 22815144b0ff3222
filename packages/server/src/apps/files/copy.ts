import { MAX_PATH_DEPTH, PodError } from '@pod/protocol';
import type { AppSettings } from '../../runtime/app.ts';
import type { NodeRow } from './entries.ts';
import { ancestry, insertNode, subtree, subtreeHeight, updateNode } from './nodes.repo.ts';
import { checkNameFree, newNode, withinQuota, type Scope } from './tree.ts';
import { addRefs, addUsage, insertVersion, manifestFromVersion, versionRow } from './versions.repo.ts';

/** Items one copy may make, so that one request stays one reasonable transaction. */
export const MAX_COPY_ITEMS = 10_000;

/**
 * Copies a file, or a folder with everything live in it, into `parentId` as `name`. Each file
 * copy gets a version of its own whose manifest names the same chunks: references go up, no
 * byte is copied. The copies count toward the caller's quota like any file.
 */
export async function copyItem(scope: Scope, settings: AppSettings, userId: number, source: NodeRow, parentId: number, name: string): Promise<NodeRow> {
  await checkNameFree(scope.tx, userId, parentId, name);
  return withinQuota(scope, userId, settings.filesQuotaBytes, async () => {
    if (source.kind === 'file') {
      return copyFile(scope, userId, source, await insertNode(scope.tx, { ...newNode(userId, parentId, name, 'file', scope.now), modified_at: source.modified_at }));
    }
    return copyFolder(scope, userId, source, parentId, name);
  });
}

async function copyFolder(scope: Scope, userId: number, source: NodeRow, parentId: number, name: string): Promise<NodeRow> {
  const sourceId = Number(source.id);
  const above = await ancestry(scope.tx, [parentId]);
  if (parentId === sourceId || above.has(sourceId)) throw new PodError('invalid', 'a folder cannot be copied into itself or a folder inside it');
  if (above.size + 1 + (await subtreeHeight(scope.tx, sourceId)) > MAX_PATH_DEPTH) {
    throw new PodError('too_large', `copied there, some items would be more than ${MAX_PATH_DEPTH} folders deep`);
  }
  const items = await subtree(scope.tx, sourceId, true, MAX_COPY_ITEMS + 1);
  if (items.length > MAX_COPY_ITEMS) throw new PodError('too_large', `a copy makes at most ${MAX_COPY_ITEMS} items at once; copy the folder's contents in parts`);
  // Parents come before their children (by depth), so each copy's new parent already exists.
  const copies = new Map<number, number>();
  let top: NodeRow | undefined;
  for (const item of items) {
    const isTop = item.depth === 0;
    const row = await insertNode(scope.tx, {
      ...newNode(userId, isTop ? parentId : copies.get(Number(item.parent_id))!, isTop ? name : item.name, item.kind, scope.now),
      modified_at: item.modified_at,
    });
    copies.set(Number(item.id), Number(row.id));
    const copied = item.kind === 'file' ? await copyFile(scope, userId, item, row) : row;
    if (isTop) top = copied;
  }
  return top!;
}

/** Gives the new file `target` a version sharing the current version of `source`. */
async function copyFile(scope: Scope, userId: number, source: NodeRow, target: NodeRow): Promise<NodeRow> {
  const version = source.version_id === null ? undefined : await versionRow(scope.tx, Number(source.version_id));
  if (!version) throw new PodError('internal', `file ${source.id} has no current version`);
  const versionId = await insertVersion(scope.tx, {
    nodeId: Number(target.id),
    userId,
    size: Number(version.size),
    hash: version.hash,
    manifest: version.manifest,
    chunkCount: Number(version.chunk_count),
    at: scope.now,
  });
  await manifestFromVersion(scope.tx, versionId, Number(version.id));
  await addRefs(scope.tx, [versionId], Date.parse(scope.now));
  await addUsage(scope.tx, userId, Number(version.size));
  return updateNode(scope.tx, Number(target.id), { version_id: versionId, size: Number(version.size), hash: version.hash, content_type: source.content_type });
}
