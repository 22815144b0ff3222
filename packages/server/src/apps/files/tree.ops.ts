import { joinPath, MAX_PATH_DEPTH, PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { pathsOf, resolveFolder, resolveItem, resolveTarget, viewedPath, walkPlace } from './access.ts';
import { copyItem } from './copy.ts';
import { decodeCursor, encodeCursor, isNameCursor, rootEntry, toEntry } from './entries.ts';
import { ancestry, listChildren, markTrashed, subtreeHeight, updateNode } from './nodes.repo.ts';
import { checkNameFree, emitChanged, ensureFolders } from './tree.ts';
import { prepareMemberships, readViewer, writeViewer, type Memberships } from './viewer.ts';

const DEFAULT_PAGE = 100;

/**
 * The file tree: list, stat, mkdir, rename, move, copy, delete (to the trash). Each works on
 * the caller's items and on those granted to them, as far as the grant allows (access.ts);
 * what a grantee writes is the owner's: in their tree, on their quota, in their trash.
 */
export const treeOps: AppOps<FilesTables> = {
  'files.list': {
    async read(input, request, ctx) {
      const folder = await resolveFolder(ctx.db, readViewer(ctx, request), input.folder);
      const limit = input.limit ?? DEFAULT_PAGE;
      const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isNameCursor)[0];
      const rows = await listChildren(ctx.db, folder.ownerId, folder.id, after, limit + 1);
      const page = rows.slice(0, limit);
      const path = (await pathsOf(ctx.db, [folder.id])).get(folder.id) ?? '/';
      return {
        folder: { id: folder.id, path: folder.target.root ? path : viewedPath(folder.target, path) },
        entries: page.map(toEntry),
        ...(rows.length > limit ? { next: encodeCursor([page[page.length - 1]!.name]) } : {}),
      };
    },
  },
  'files.stat': {
    async read(input, request, ctx) {
      const target = await resolveTarget(ctx.db, readViewer(ctx, request), input.target);
      if (target.root) return { entry: rootEntry(), path: '/' };
      const id = Number(target.row.id);
      return { entry: toEntry(target.row), path: viewedPath(target, (await pathsOf(ctx.db, [id])).get(id)!), ...(target.ownerName ? { owner: target.ownerName } : {}) };
    },
  },
  'files.mkdir': {
    prepare: (input, request, ctx) => prepareMemberships(ctx, request, [input.path]),
    async write(scope, input, request) {
      const viewer = writeViewer(request, request.prepared as Memberships | undefined);
      const { ownerId, names, walked } = await walkPlace(scope.tx, viewer, input.path);
      const own = ownerId === viewer.userId;
      if (names.length === 0) {
        if (input.parents) return { entry: rootEntry(), created: false };
        throw new PodError('conflict', 'the root folder always exists');
      }
      const deepest = walked.rows[walked.rows.length - 1];
      if (walked.missing === 0) {
        if (deepest!.kind === 'folder' && input.parents) return { entry: toEntry(deepest!), created: false };
        throw new PodError('conflict', `${input.path} exists already`);
      }
      if (walked.missing > 1 && !input.parents) {
        throw new PodError('not_found', `the folder ${own ? joinPath(names.slice(0, -1)) : input.path.slice(0, input.path.lastIndexOf('/'))} does not exist; create it first, or pass parents: true`);
      }
      const { created } = await ensureFolders(scope, ownerId, names);
      await emitChanged(scope, ownerId, created, [], viewer.userId);
      return { entry: toEntry(created[created.length - 1]!), created: true };
    },
  },
  'files.rename': {
    prepare: (input, request, ctx) => prepareMemberships(ctx, request, [input.target]),
    async write(scope, input, request) {
      const viewer = writeViewer(request, request.prepared as Memberships | undefined);
      const { row } = await resolveItem(scope.tx, viewer, input.target, 'renamed', 'write');
      const ownerId = Number(row.user_id);
      if (row.name === input.name) return { entry: toEntry(row) };
      await checkNameFree(scope.tx, ownerId, Number(row.parent_id), input.name, Number(row.id));
      const renamed = await updateNode(scope.tx, Number(row.id), { name: input.name });
      await emitChanged(scope, ownerId, [renamed], [], viewer.userId);
      return { entry: toEntry(renamed) };
    },
  },
  'files.move': {
    prepare: (input, request, ctx) => prepareMemberships(ctx, request, [input.target, input.to]),
    async write(scope, input, request) {
      const viewer = writeViewer(request, request.prepared as Memberships | undefined);
      const { row } = await resolveItem(scope.tx, viewer, input.target, 'moved', 'write');
      const folder = await resolveFolder(scope.tx, viewer, input.to, 'write');
      const ownerId = Number(row.user_id);
      // Moving between two owners' trees would move bytes between quotas and grants between people: copy instead.
      if (folder.ownerId !== ownerId) throw new PodError('invalid', "an item moves only within its owner's files; copy it instead");
      const id = Number(row.id);
      const name = input.name ?? row.name;
      if (folder.id === Number(row.parent_id) && name === row.name) return { entry: toEntry(row) };
      if (row.kind === 'folder') {
        // The destination's ancestry, itself included: moving a folder there must not put it inside itself.
        const above = await ancestry(scope.tx, [folder.id]);
        if (folder.id === id || above.has(id)) throw new PodError('invalid', 'a folder cannot be moved into itself or a folder inside it');
        if (above.size + 1 + (await subtreeHeight(scope.tx, id)) > MAX_PATH_DEPTH) {
          throw new PodError('too_large', `moved there, some items would be more than ${MAX_PATH_DEPTH} folders deep`);
        }
      }
      await checkNameFree(scope.tx, ownerId, folder.id, name, id);
      const moved = await updateNode(scope.tx, id, { parent_id: folder.id, name });
      await emitChanged(scope, ownerId, [moved], [], viewer.userId);
      return { entry: toEntry(moved) };
    },
  },
  'files.copy': {
    prepare: (input, request, ctx) => prepareMemberships(ctx, request, [input.target, input.to]),
    async write(scope, input, request, ctx) {
      const viewer = writeViewer(request, request.prepared as Memberships | undefined);
      const { row } = await resolveItem(scope.tx, viewer, input.target, 'copied');
      const folder = await resolveFolder(scope.tx, viewer, input.to, 'write');
      // The copy is the destination owner's, on their quota.
      const copy = await copyItem(scope, ctx.settings, folder.ownerId, row, folder.id, input.name ?? row.name);
      await emitChanged(scope, folder.ownerId, [copy], [], viewer.userId);
      return { entry: toEntry(copy) };
    },
  },
  'files.delete': {
    prepare: (input, request, ctx) => prepareMemberships(ctx, request, [input.target]),
    async write(scope, input, request) {
      const viewer = writeViewer(request, request.prepared as Memberships | undefined);
      const { row } = await resolveItem(scope.tx, viewer, input.target, 'deleted', 'write');
      const ownerId = Number(row.user_id);
      const trashed = await markTrashed(scope.tx, Number(row.id), scope.now);
      await emitChanged(scope, ownerId, [trashed], [], viewer.userId);
      return { entry: toEntry(trashed) };
    },
  },
};
