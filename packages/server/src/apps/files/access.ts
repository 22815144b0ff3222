import { joinPath, pathNames, PodError } from '@pod/protocol';
import { ROOT_ID, type NodeRow } from './entries.ts';
import { ancestry, childByName, nodesByIds, type Db } from './nodes.repo.ts';
import { openUpload, type UploadRow } from './uploads.repo.ts';

/**
 * Every access check of the files app lives here. A user sees only their own tree: every
 * lookup is by owner, so another user's id or path is not there at all and answers
 * not_found exactly like one that never existed, and existence never leaks.
 */

/** Where an item is: the trash or not. Items inside a trashed folder count as trashed. */
export type Place = 'live' | 'trash';

/** The caller's items among `ids` in `place`, in one query, keyed by id; the rest are not theirs to see. */
export async function accessibleItems(db: Db, userId: number, ids: readonly number[], place: Place): Promise<Map<number, NodeRow>> {
  const rows = await nodesByIds(db, userId, ids);
  const found = new Map<number, NodeRow>();
  for (const row of rows) {
    const trashed = row.trash_root !== null;
    if ((place === 'trash') === trashed) found.set(Number(row.id), row);
  }
  return found;
}

/** The root folder, or a live item of the caller's. */
export type Target = { root: true } | { root: false; row: NodeRow };

function notFound(ref: string | number): PodError {
  return new PodError('not_found', typeof ref === 'number' ? `no file or folder with id ${ref}` : `no file or folder at ${ref}`);
}

/** A live item named by path (walked from the root) or id, or the root itself. */
export async function resolveTarget(db: Db, userId: number, ref: string | number): Promise<Target> {
  if (ref === ROOT_ID || ref === '/') return { root: true };
  if (typeof ref === 'number') {
    const row = (await accessibleItems(db, userId, [ref], 'live')).get(ref);
    if (!row) throw notFound(ref);
    return { root: false, row };
  }
  const walked = await walkPath(db, userId, pathNames(ref));
  if (walked.missing > 0) throw notFound(ref);
  return { root: false, row: walked.rows[walked.rows.length - 1]! };
}

/** A live item, never the root (which cannot be renamed, moved, copied or deleted). */
export async function resolveItem(db: Db, userId: number, ref: string | number, doing: string): Promise<NodeRow> {
  const target = await resolveTarget(db, userId, ref);
  if (target.root) throw new PodError('invalid', `the root folder cannot be ${doing}`);
  return target.row;
}

/** A live folder (or the root): its id, and its row unless it is the root. */
export async function resolveFolder(db: Db, userId: number, ref: string | number): Promise<{ id: number; row: NodeRow | undefined }> {
  const target = await resolveTarget(db, userId, ref);
  if (target.root) return { id: ROOT_ID, row: undefined };
  if (target.row.kind !== 'folder') throw new PodError('invalid', `${typeof ref === 'number' ? `item ${ref}` : ref} is a file, not a folder`);
  return { id: Number(target.row.id), row: target.row };
}

/**
 * Follows `names` from the root through the caller's live folders: the items found, in order,
 * and how many names were not found at the end. A file where a folder is needed is a conflict.
 */
export async function walkPath(db: Db, userId: number, names: readonly string[]): Promise<{ rows: NodeRow[]; missing: number }> {
  const rows: NodeRow[] = [];
  let parentId = ROOT_ID;
  for (const [index, name] of names.entries()) {
    const row = await childByName(db, userId, parentId, name);
    if (!row) return { rows, missing: names.length - index };
    if (row.kind !== 'folder' && index < names.length - 1) {
      throw new PodError('conflict', `${joinPath(names.slice(0, index + 1))} is a file, not a folder`);
    }
    rows.push(row);
    parentId = Number(row.id);
  }
  return { rows, missing: 0 };
}

/**
 * Paths of the caller's items by id, from their ancestry, in one query. An item whose
 * ancestry is broken (its folder deleted for good from the trash) gets undefined.
 */
export async function pathsOf(db: Db, ids: readonly number[]): Promise<Map<number, string | undefined>> {
  const known = await ancestry(db, ids);
  const paths = new Map<number, string | undefined>();
  for (const id of ids) {
    if (id === ROOT_ID) {
      paths.set(id, '/');
      continue;
    }
    const names: string[] = [];
    let at: number = id;
    while (at !== ROOT_ID) {
      const step = known.get(at);
      if (!step || names.length > 1000) {
        names.length = 0;
        break;
      }
      names.unshift(step.name);
      at = step.parentId;
    }
    paths.set(id, names.length === 0 ? undefined : joinPath(names));
  }
  return paths;
}

export function noUpload(uploadId: string): PodError {
  return new PodError('not_found', `no open upload ${uploadId} (it was committed, cancelled or expired); begin it again`);
}

/** The caller's upload while it is open; another user's upload id answers not_found. */
export async function ownUpload(db: Db, userId: number, uploadId: string, nowMs: number): Promise<UploadRow> {
  const upload = await openUpload(db, userId, uploadId, nowMs);
  if (!upload) throw noUpload(uploadId);
  return upload;
}
