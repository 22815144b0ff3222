import { z } from 'zod';
import { isoTime, pageLimit, userName } from '../common.ts';
import { fileName } from '../files/names.ts';
import { byteCount, fileCursor, fileEntry, fileKind, fileRef, fileVersion, nodeId, placePath } from '../files/schemas.ts';
import type { OpDef } from './define.ts';

/** An item and how I name it; `owner` is set on another user's item (shared with me or published), whose path is "~owner/...". */
const located = z.strictObject({ entry: fileEntry, path: z.string(), owner: userName.optional() });
const one = z.strictObject({ entry: fileEntry });

/**
 * The file tree: each user has their own, and sees only it. Every item is named by a path or
 * an id (`fileRef`); lists are paged with an opaque `cursor` answered as `next`.
 */
export const filesOps = {
  /** A folder's items (folders and files alike), by name. */
  'files.list': {
    app: 'files',
    access: 'user',
    readonly: true,
    input: z.strictObject({ folder: fileRef.default('/'), limit: pageLimit.optional(), cursor: fileCursor.optional() }),
    output: z.strictObject({ folder: z.strictObject({ id: z.number().int(), path: z.string() }), entries: z.array(fileEntry), next: z.string().optional() }),
  },
  'files.stat': { app: 'files', access: 'user', readonly: true, input: z.strictObject({ target: fileRef }), output: located },
  /** Creates a folder; with `parents`, also the missing folders above it, and an existing folder is no error. */
  'files.mkdir': {
    app: 'files',
    access: 'user',
    input: z.strictObject({ path: placePath, parents: z.boolean().optional() }),
    output: z.strictObject({ entry: fileEntry, created: z.boolean() }),
  },
  'files.rename': { app: 'files', access: 'user', input: z.strictObject({ target: fileRef, name: fileName }), output: one },
  /** Moves an item into the folder `to`, keeping its name unless `name` is given. */
  'files.move': { app: 'files', access: 'user', input: z.strictObject({ target: fileRef, to: fileRef, name: fileName.optional() }), output: one },
  /**
   * Copies a file (its current version) or a folder with everything in it into `to`. No bytes
   * are copied: the copy shares the original's chunks.
   */
  'files.copy': { app: 'files', access: 'user', input: z.strictObject({ target: fileRef, to: fileRef, name: fileName.optional() }), output: one },
  /** Moves an item (a folder with everything in it) to the trash, from where it can be restored. */
  'files.delete': { app: 'files', access: 'user', input: z.strictObject({ target: fileRef }), output: one },
  /** What the trash holds, most recently deleted first; `from` is the folder it was deleted from, while that still exists. */
  'files.trash.list': {
    app: 'files',
    access: 'user',
    readonly: true,
    input: z.strictObject({ limit: pageLimit.optional(), cursor: fileCursor.optional() }),
    output: z.strictObject({ items: z.array(z.strictObject({ entry: fileEntry, from: z.string().nullable() })), next: z.string().optional() }),
  },
  /** Puts a trashed item back where it was (or into `to`, and/or under `name`). */
  'files.trash.restore': {
    app: 'files',
    access: 'user',
    input: z.strictObject({ id: nodeId, to: fileRef.optional(), name: fileName.optional() }),
    output: one,
  },
  /** Deletes for good the trashed items `ids`, or everything in the trash. */
  'files.trash.empty': {
    app: 'files',
    access: 'user',
    input: z.strictObject({ ids: z.array(nodeId).min(1).max(1000).optional() }),
    output: z.strictObject({ removed: z.number().int(), freedBytes: z.number().int() }),
  },
  /** A file's versions, newest first: the current one and the earlier ones kept. */
  'files.versions': { app: 'files', access: 'user', readonly: true, input: z.strictObject({ target: fileRef }), output: z.strictObject({ versions: z.array(fileVersion) }) },
  /** Makes an earlier version current again, as a new version; the one it replaces is kept. */
  'files.versions.restore': { app: 'files', access: 'user', input: z.strictObject({ target: fileRef, version: nodeId }), output: one },
  /**
   * Files and folders outside the trash whose name contains `query` (any case), of content
   * type `type` (exact, or a prefix ending in "/" such as "image/"), by size and modification
   * time; by name. `scope`: `own` (default) my files; `shared` those shared with me (inside
   * shared folders too); `published` what anyone published; `all` every one I may read.
   */
  'files.search': {
    app: 'files',
    access: 'user',
    readonly: true,
    input: z.strictObject({
      query: z.string().max(255, 'a search has at most 255 characters').optional(),
      type: z.string().max(127).optional(),
      kind: fileKind.optional(),
      minSize: byteCount.optional(),
      maxSize: byteCount.optional(),
      modifiedAfter: isoTime.optional(),
      modifiedBefore: isoTime.optional(),
      scope: z.enum(['own', 'shared', 'published', 'all']).optional(),
      limit: pageLimit.optional(),
      cursor: fileCursor.optional(),
    }),
    output: z.strictObject({ results: z.array(located), next: z.string().optional() }),
  },
  /**
   * What my files take. `logicalBytes` counts every byte I keep (current files, earlier
   * versions, the trash) and is what the quota limits; `storedBytes` is what my distinct chunks
   * take on the server's disks after compression; `savedBytes` is the difference.
   */
  'files.usage': {
    app: 'files',
    access: 'user',
    readonly: true,
    input: z.strictObject({}),
    output: z.strictObject({
      logicalBytes: z.number().int(),
      currentBytes: z.number().int(),
      versionBytes: z.number().int(),
      trashBytes: z.number().int(),
      storedBytes: z.number().int(),
      savedBytes: z.number().int(),
      quotaBytes: z.number().int().nullable(),
      files: z.number().int(),
      folders: z.number().int(),
    }),
  },
} as const satisfies Record<string, OpDef>;
