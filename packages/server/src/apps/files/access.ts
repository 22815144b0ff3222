import { isSharedPath, joinPath, pathNames, PodError, splitSharedPath } from '@pod/protocol';
import { ROOT_ID, type NodeRow } from './entries.ts';
import { ancestry, childByName, nodeById, nodesByIds, type Db } from './nodes.repo.ts';
import { ownerIdByName, sharesOnNodes } from './shares.repo.ts';
import type { Viewer } from './viewer.ts';
import { openUpload, type UploadRow } from './uploads.repo.ts';

/**
 * Every access check of the files app lives here. A user sees their own tree, and what others
 * granted them (shared by name, with a group of buddies or a room they are in, or published): every
 * lookup goes through resolveTarget or grantOf, and whatever the caller may not access answers
 * not_found exactly like what never existed, so existence never leaks.
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

/** What the caller may do with an item: everything (theirs), or what a grant allows. */
export type Grant = 'owner' | 'write' | 'read';

/** The caller's root folder, or a live item they may access, with how, and its owner's name when it is not theirs. */
export type Target = { root: true; ownerId: number } | { root: false; row: NodeRow; grant: Grant; ownerName: string | undefined };

function notFound(ref: string | number): PodError {
  return new PodError('not_found', typeof ref === 'number' ? `no file or folder with id ${ref}` : `no file or folder at ${ref}`);
}

function readOnly(ref: string | number): PodError {
  return new PodError('forbidden', `${typeof ref === 'number' ? `item ${ref}` : ref} is shared with you for reading only`);
}

/**
 * How `viewer` may access a live item, by the grants on it and on the folders above it (a
 * grant on a folder covers everything inside), or undefined. Another user's trashed items are
 * out of reach: the trash is its owner's alone.
 */
export async function grantOf(db: Db, viewer: Viewer, row: NodeRow): Promise<{ grant: Grant; ownerName: string | undefined } | undefined> {
  const ownerId = Number(row.user_id);
  if (ownerId === viewer.userId) return row.trash_root === null ? { grant: 'owner', ownerName: undefined } : undefined;
  if (row.trash_root !== null) return undefined;
  const chain = [...(await ancestry(db, [Number(row.id)])).keys()];
  const shares = await sharesOnNodes(db, chain);
  let best: 'write' | 'read' | undefined;
  let ownerName: string | undefined;
  for (const share of shares) {
    let applies = (share.grantee_kind === 'user' && Number(share.grantee_id) === viewer.userId) || share.grantee_kind === 'public';
    if (!applies && share.grantee_kind === 'group') {
      applies = (await viewer.memberships()).groups.some((m) => m.ownerId === ownerId && m.group === share.grantee_name);
    }
    if (!applies && share.grantee_kind === 'room') applies = (await viewer.memberships()).rooms.includes(Number(share.grantee_id));
    if (!applies) continue;
    ownerName = share.owner_name;
    if (share.access === 'write' && share.grantee_kind !== 'public') best = 'write';
    else best ??= 'read';
  }
  return best ? { grant: best, ownerName } : undefined;
}

/** Refuses writing through a read grant (the caller may read the item, so this leaks nothing). */
function checkNeed(target: Target, need: 'read' | 'write', ref: string | number): Target {
  if (need === 'write' && !target.root && target.grant === 'read') throw readOnly(ref);
  return target;
}

/**
 * A live item named by path (mine, walked from my root, or "~owner/path" in theirs) or id, or
 * my root, that the viewer may access for `need`. Whatever they may not access answers
 * not_found exactly as what does not exist.
 */
export async function resolveTarget(db: Db, viewer: Viewer, ref: string | number, need: 'read' | 'write' = 'read'): Promise<Target> {
  if (ref === ROOT_ID || ref === '/') return { root: true, ownerId: viewer.userId };
  if (typeof ref === 'number') {
    const row = await nodeById(db, ref);
    const granted = row && (await grantOf(db, viewer, row));
    if (!row || !granted) throw notFound(ref);
    return checkNeed({ root: false, row, ...granted }, need, ref);
  }
  const place = await resolvePlace(db, viewer, ref);
  if (place.names.length === 0) {
    if (place.ownerId === viewer.userId) return { root: true, ownerId: viewer.userId };
    throw notFound(ref);
  }
  let walked: { rows: NodeRow[]; missing: number };
  try {
    walked = await walkPath(db, place.ownerId, place.names);
  } catch (error) {
    // Someone else's tree: that a name is a file rather than a folder is theirs to know.
    if (place.ownerId !== viewer.userId) throw notFound(ref);
    throw error;
  }
  const row = walked.rows[walked.rows.length - 1];
  const granted = walked.missing === 0 && row ? await grantOf(db, viewer, row) : undefined;
  if (!row || !granted) throw notFound(ref);
  return checkNeed({ root: false, row, ...granted }, need, ref);
}

/** Where a path points: the owner of the tree and the names in it. "~me/..." is my own tree. */
export async function resolvePlace(db: Db, viewer: Viewer, path: string): Promise<{ ownerId: number; names: string[] }> {
  if (!isSharedPath(path)) return { ownerId: viewer.userId, names: pathNames(path) };
  const { owner, path: inTree } = splitSharedPath(path);
  const ownerId = owner === viewer.name ? viewer.userId : await ownerIdByName(db, owner);
  if (ownerId === undefined) throw notFound(path);
  return { ownerId, names: pathNames(inTree) };
}

/**
 * Walks a path where something is to be made (mkdir, upload): in my tree, or in another's
 * where the deepest folder that exists must be writable by me (else not_found, or forbidden
 * for a read grant).
 */
export async function walkPlace(db: Db, viewer: Viewer, path: string): Promise<{ ownerId: number; names: string[]; walked: { rows: NodeRow[]; missing: number } }> {
  const place = await resolvePlace(db, viewer, path);
  if (place.ownerId === viewer.userId) return { ...place, walked: await walkPath(db, place.ownerId, place.names) };
  let walked: { rows: NodeRow[]; missing: number };
  try {
    walked = await walkPath(db, place.ownerId, place.names);
  } catch {
    throw notFound(path);
  }
  const deepest = walked.rows[walked.rows.length - 1];
  const granted = deepest && (await grantOf(db, viewer, deepest));
  if (!granted) throw notFound(path);
  if (granted.grant === 'read') throw new PodError('forbidden', `${path} is in a folder shared with you for reading only`);
  return { ...place, walked };
}

/** A live item, never a root (which cannot be renamed, moved, copied or deleted). */
export async function resolveItem(db: Db, viewer: Viewer, ref: string | number, doing: string, need: 'read' | 'write' = 'read'): Promise<Target & { root: false }> {
  const target = await resolveTarget(db, viewer, ref, need);
  if (target.root) throw new PodError('invalid', `the root folder cannot be ${doing}`);
  return target;
}

/**
 * One of the caller's own items. Only an owner shares, links or publishes: a grantee who can
 * see the item is told so; for anyone else it does not exist.
 */
export async function ownItem(db: Db, viewer: Viewer, ref: string | number, doing: string): Promise<NodeRow> {
  const target = await resolveItem(db, viewer, ref, doing);
  if (target.grant !== 'owner') throw new PodError('forbidden', `only its owner (${target.ownerName}) can share this; copy it into your files to pass it on`);
  return target.row;
}

/** A live folder (or my root): its id and owner, and its target unless it is the root. */
export async function resolveFolder(db: Db, viewer: Viewer, ref: string | number, need: 'read' | 'write' = 'read'): Promise<{ id: number; ownerId: number; target: Target }> {
  const target = await resolveTarget(db, viewer, ref, need);
  if (target.root) return { id: ROOT_ID, ownerId: target.ownerId, target };
  if (target.row.kind !== 'folder') throw new PodError('invalid', `${typeof ref === 'number' ? `item ${ref}` : ref} is a file, not a folder`);
  return { id: Number(target.row.id), ownerId: Number(target.row.user_id), target };
}

/** How the viewer names an item whose path in its owner's tree is `path`: as it is, or "~owner/path". */
export function viewedPath(target: { ownerName: string | undefined }, path: string): string {
  return target.ownerName === undefined ? path : `~${target.ownerName}${path === '/' ? '' : path}`;
}

/**
 * Follows `names` from the root (or the folder `fromId`) through the user's live folders: the items found, in order,
 * and how many names were not found at the end. A file where a folder is needed is a conflict.
 */
export async function walkPath(db: Db, userId: number, names: readonly string[], fromId = ROOT_ID): Promise<{ rows: NodeRow[]; missing: number }> {
  const rows: NodeRow[] = [];
  let parentId = fromId;
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
