import { joinPath, PodError, type FileEntry } from '@pod/protocol';
import type { WriteScope } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { walkPath } from './access.ts';
import { ROOT_ID, toEntry, type NodeRow } from './entries.ts';
import { ancestry, childByName, insertNodeIfAbsent, nameTaken, type Db } from './nodes.repo.ts';
import { directGrantees, ownerShares } from './shares.repo.ts';
import { usageOf } from './versions.repo.ts';

export type Scope = WriteScope<FilesTables>;

/**
 * Tells what changed in an owner's tree, in the transaction that changed it: to the owner's
 * devices, the acting user's (a grantee writing into a shared folder), and the users the
 * changed items are shared with by name. (Members of a shared group and readers of published
 * items are not told: who they are is the directory's to say, and a write waits on no one.)
 */
export async function emitChanged(scope: Scope, ownerId: number, entries: readonly (NodeRow | FileEntry)[], removed: readonly number[] = [], actorId?: number): Promise<void> {
  if (entries.length === 0 && removed.length === 0) return;
  const asEntries = entries.map((entry) => ('user_id' in entry ? toEntry(entry) : entry));
  const recipients = new Set([ownerId, ...(actorId === undefined ? [] : [actorId])]);
  if (asEntries.length > 0 && (await ownerShares(scope.tx, ownerId))) {
    const chain = await ancestry(scope.tx, asEntries.map((entry) => entry.id));
    for (const id of await directGrantees(scope.tx, [...chain.keys()])) recipients.add(id);
  }
  await scope.emit([...recipients], 'files.changed', { entries: asEntries, removed: [...removed] });
}

/**
 * The folder `names` names, creating the missing ones (mkdir -p). Answers its id and the
 * folders created, in order.
 */
export async function ensureFolders(scope: Scope, userId: number, names: readonly string[]): Promise<{ id: number; created: NodeRow[] }> {
  const walked = await walkPath(scope.tx, userId, names);
  const last = walked.rows[walked.rows.length - 1];
  if (last && last.kind !== 'folder') throw new PodError('conflict', `${joinPath(names.slice(0, walked.rows.length))} is a file, not a folder`);
  let parentId = last ? Number(last.id) : ROOT_ID;
  const created: NodeRow[] = [];
  for (const [index, name] of names.slice(walked.rows.length).entries()) {
    const row = await insertNodeIfAbsent(scope.tx, newNode(userId, parentId, name, 'folder', scope.now));
    if (row) created.push(row);
    // Made meanwhile by another request: use it, unless it is a file.
    const folder = row ?? (await childByName(scope.tx, userId, parentId, name));
    if (!folder || folder.kind !== 'folder') throw new PodError('conflict', `${joinPath(names.slice(0, walked.rows.length + index + 1))} is a file, not a folder`);
    parentId = Number(folder.id);
  }
  return { id: parentId, created };
}

export function newNode(userId: number, parentId: number, name: string, kind: 'file' | 'folder', now: string) {
  return { user_id: userId, parent_id: parentId, name, kind, size: 0, content_type: '', hash: null, version_id: null, created_at: now, modified_at: now, trashed_at: null, trash_root: null };
}

/** Refuses a name already used by a live item of the folder (other than `except`). */
export async function checkNameFree(db: Db, userId: number, parentId: number, name: string, except?: number): Promise<void> {
  const existing = await childByName(db, userId, parentId, name);
  if (existing && Number(existing.id) !== except) throw nameTaken(name);
}

/**
 * Runs `change` (which adds and removes bytes through addUsage) and refuses it with too_large
 * when it leaves the caller above the pod's quota (0: none) with more than before. Inside the
 * transaction that stores the bytes, so concurrent uploads cannot both squeeze in, and what a
 * change frees (earlier versions beyond those kept) counts before the verdict.
 */
export async function withinQuota<T>(scope: Scope, userId: number, quotaBytes: number, change: () => Promise<T>): Promise<T> {
  const before = await usageOf(scope.tx, userId);
  const result = await change();
  if (quotaBytes > 0) {
    const after = await usageOf(scope.tx, userId);
    if (after > quotaBytes && after > before) throw quotaExceeded(before, after - before, quotaBytes);
  }
  return result;
}

export function quotaExceeded(used: number, bytes: number, quotaBytes: number): PodError {
  return new PodError(
    'too_large',
    `this needs ${bytes} more bytes but your files may take at most ${quotaBytes} bytes and already take ${used} (earlier versions and the trash count too); empty the trash or delete files first`,
    { quotaBytes, usedBytes: used, neededBytes: bytes },
  );
}
