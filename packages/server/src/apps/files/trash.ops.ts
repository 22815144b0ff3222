import { MAX_PATH_DEPTH, PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { accessibleItems, pathsOf, resolveFolder } from './access.ts';
import { decodeCursor, encodeCursor, ROOT_ID, toEntry, type NodeRow } from './entries.ts';
import { ancestry, deleteNodes, subtree, subtreeHeight, trashTops, unmarkTrashed } from './nodes.repo.ts';
import { deleteSharesOfNodes } from './shares.repo.ts';
import { checkNameFree, emitChanged, type Scope } from './tree.ts';
import { NO_MEMBERSHIPS, writeViewer } from './viewer.ts';
import { deleteVersions, versionsOfNodes } from './versions.repo.ts';

const DEFAULT_PAGE = 100;
/** Items one emptying deletes at most; a larger trash is emptied by calling again. */
const MAX_EMPTIED = 100_000;

const isTrashCursor = (value: unknown): value is [string, number] =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && Number.isSafeInteger(value[1]);

/** Trashed tops of the caller among `ids`: what was deleted on its own, not what was inside it. */
async function trashedTops(scope: Scope, userId: number, ids: readonly number[]): Promise<NodeRow[]> {
  const found = await accessibleItems(scope.tx, userId, ids, 'trash');
  return ids.map((id) => {
    const row = found.get(id);
    if (!row) throw new PodError('not_found', `no item with id ${id} in the trash`);
    if (row.trashed_at === null) throw new PodError('invalid', `item ${id} is inside the trashed folder ${row.trash_root}; restore or delete that folder`);
    return row;
  });
}

/** The trash: what is in it, putting things back, and deleting them for good. */
export const trashOps: AppOps<FilesTables> = {
  'files.trash.list': {
    async read(input, request, ctx) {
      const userId = request.caller!.userId;
      const limit = input.limit ?? DEFAULT_PAGE;
      const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isTrashCursor);
      const rows = await trashTops(ctx.db, userId, after, limit + 1);
      const page = rows.slice(0, limit);
      // Where each came from, while that folder is still outside the trash.
      const parents = [...new Set(page.map((row) => Number(row.parent_id)).filter((id) => id !== ROOT_ID))];
      const live = await accessibleItems(ctx.db, userId, parents, 'live');
      const paths = await pathsOf(ctx.db, [...live.keys()]);
      const from = (parentId: number) => (parentId === ROOT_ID ? '/' : (paths.get(parentId) ?? null));
      const last = page[page.length - 1];
      return {
        items: page.map((row) => ({ entry: toEntry(row), from: from(Number(row.parent_id)) })),
        ...(rows.length > limit && last ? { next: encodeCursor([last.trashed_at, Number(last.id)]) } : {}),
      };
    },
  },
  'files.trash.restore': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      const [row] = await trashedTops(scope, userId, [input.id]);
      let parentId: number;
      if (input.to !== undefined) {
        // The trash is the owner's alone, and so is where they restore to.
        const folder = await resolveFolder(scope.tx, writeViewer(request, NO_MEMBERSHIPS), input.to, 'write');
        if (folder.ownerId !== userId) throw new PodError('invalid', 'restore into a folder of your own');
        parentId = folder.id;
      }
      else {
        parentId = Number(row!.parent_id);
        if (parentId !== ROOT_ID && !(await accessibleItems(scope.tx, userId, [parentId], 'live')).has(parentId)) {
          throw new PodError('conflict', 'the folder it was deleted from is gone or in the trash; restore it into another folder with `to`');
        }
      }
      const name = input.name ?? row!.name;
      await checkNameFree(scope.tx, userId, parentId, name);
      const above = await ancestry(scope.tx, [parentId]);
      if (above.size + 1 + (await subtreeHeight(scope.tx, input.id)) > MAX_PATH_DEPTH) {
        throw new PodError('too_large', `restored there, some items would be more than ${MAX_PATH_DEPTH} folders deep`);
      }
      const restored = await unmarkTrashed(scope.tx, input.id, parentId, name);
      await emitChanged(scope, userId, [restored]);
      return { entry: toEntry(restored) };
    },
  },
  'files.trash.empty': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      const tops = input.ids ? await trashedTops(scope, userId, input.ids) : await trashTops(scope.tx, userId, undefined, MAX_EMPTIED);
      const doomed: NodeRow[] = [];
      const seen = new Set<number>();
      for (const top of tops) {
        // Everything inside, including what was trashed on its own before its folder was.
        for (const item of await subtree(scope.tx, Number(top.id), false, MAX_EMPTIED + 1)) {
          if (!seen.has(Number(item.id))) doomed.push(item);
          seen.add(Number(item.id));
        }
        if (doomed.length > MAX_EMPTIED) throw new PodError('too_large', `the trash empties at most ${MAX_EMPTIED} items at once; empty it in parts (ids)`);
      }
      const versions = await versionsOfNodes(scope.tx, doomed.filter((item) => item.kind === 'file').map((item) => Number(item.id)));
      await deleteVersions(scope.tx, versions, Date.parse(scope.now));
      await deleteSharesOfNodes(scope.tx, doomed.map((item) => Number(item.id)));
      await deleteNodes(scope.tx, doomed.map((item) => Number(item.id)));
      const removed = doomed.filter((item) => item.trashed_at !== null).map((item) => Number(item.id));
      await emitChanged(scope, userId, [], removed);
      return { removed: doomed.length, freedBytes: versions.reduce((sum, version) => sum + version.size, 0) };
    },
  },
};
