import { joinPath, MAX_PATH_DEPTH, pathNames, PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { pathsOf, resolveFolder, resolveItem, resolveTarget, walkPath } from './access.ts';
import { copyItem } from './copy.ts';
import { decodeCursor, encodeCursor, isNameCursor, rootEntry, toEntry } from './entries.ts';
import { ancestry, listChildren, markTrashed, subtreeHeight, updateNode } from './nodes.repo.ts';
import { checkNameFree, emitChanged, ensureFolders } from './tree.ts';

const DEFAULT_PAGE = 100;

/** The file tree: list, stat, mkdir, rename, move, copy, delete (to the trash). */
export const treeOps: AppOps<FilesTables> = {
  'files.list': {
    async read(input, request, ctx) {
      const userId = request.caller!.userId;
      const folder = await resolveFolder(ctx.db, userId, input.folder);
      const limit = input.limit ?? DEFAULT_PAGE;
      const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isNameCursor)[0];
      const rows = await listChildren(ctx.db, userId, folder.id, after, limit + 1);
      const page = rows.slice(0, limit);
      const path = (await pathsOf(ctx.db, [folder.id])).get(folder.id) ?? '/';
      return {
        folder: { id: folder.id, path },
        entries: page.map(toEntry),
        ...(rows.length > limit ? { next: encodeCursor([page[page.length - 1]!.name]) } : {}),
      };
    },
  },
  'files.stat': {
    async read(input, request, ctx) {
      const target = await resolveTarget(ctx.db, request.caller!.userId, input.target);
      if (target.root) return { entry: rootEntry(), path: '/' };
      const id = Number(target.row.id);
      return { entry: toEntry(target.row), path: (await pathsOf(ctx.db, [id])).get(id)! };
    },
  },
  'files.mkdir': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      const names = pathNames(input.path);
      if (names.length === 0) {
        if (input.parents) return { entry: rootEntry(), created: false };
        throw new PodError('conflict', 'the root folder always exists');
      }
      const walked = await walkPath(scope.tx, userId, names);
      if (walked.missing === 0) {
        const existing = walked.rows[walked.rows.length - 1]!;
        if (existing.kind === 'folder' && input.parents) return { entry: toEntry(existing), created: false };
        throw new PodError('conflict', `${input.path} exists already`);
      }
      if (walked.missing > 1 && !input.parents) {
        throw new PodError('not_found', `the folder ${joinPath(names.slice(0, -1))} does not exist; create it first, or pass parents: true`);
      }
      const { created } = await ensureFolders(scope, userId, names);
      await emitChanged(scope, userId, created);
      return { entry: toEntry(created[created.length - 1]!), created: true };
    },
  },
  'files.rename': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      const row = await resolveItem(scope.tx, userId, input.target, 'renamed');
      if (row.name === input.name) return { entry: toEntry(row) };
      await checkNameFree(scope.tx, userId, Number(row.parent_id), input.name, Number(row.id));
      const renamed = await updateNode(scope.tx, Number(row.id), { name: input.name });
      await emitChanged(scope, userId, [renamed]);
      return { entry: toEntry(renamed) };
    },
  },
  'files.move': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      const row = await resolveItem(scope.tx, userId, input.target, 'moved');
      const folder = await resolveFolder(scope.tx, userId, input.to);
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
      await checkNameFree(scope.tx, userId, folder.id, name, id);
      const moved = await updateNode(scope.tx, id, { parent_id: folder.id, name });
      await emitChanged(scope, userId, [moved]);
      return { entry: toEntry(moved) };
    },
  },
  'files.copy': {
    async write(scope, input, request, ctx) {
      const userId = request.caller!.userId;
      const row = await resolveItem(scope.tx, userId, input.target, 'copied');
      const folder = await resolveFolder(scope.tx, userId, input.to);
      const copy = await copyItem(scope, ctx.settings, userId, row, folder.id, input.name ?? row.name);
      await emitChanged(scope, userId, [copy]);
      return { entry: toEntry(copy) };
    },
  },
  'files.delete': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      const row = await resolveItem(scope.tx, userId, input.target, 'deleted');
      const trashed = await markTrashed(scope.tx, Number(row.id), scope.now);
      await emitChanged(scope, userId, [trashed]);
      return { entry: toEntry(trashed) };
    },
  },
};
