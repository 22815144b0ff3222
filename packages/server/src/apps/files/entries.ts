import { PodError, type FileEntry } from '@pod/protocol';
import type { Selectable } from 'kysely';
import type { FilesTables } from '../../store/schema.ts';

export type NodeRow = Selectable<FilesTables['files_nodes']>;

/** The root folder has no row; id 0 and "/" name it. */
export const ROOT_ID = 0;
const EPOCH = new Date(0).toISOString();

/** A row as clients see it; int8 columns may arrive as strings from some drivers. */
export function toEntry(row: NodeRow): FileEntry {
  return {
    id: Number(row.id),
    parentId: Number(row.parent_id),
    name: row.name,
    kind: row.kind,
    size: Number(row.size),
    type: row.content_type,
    hash: row.hash,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
    trashedAt: row.trashed_at,
    version: row.version_id === null ? null : Number(row.version_id),
  };
}

export function rootEntry(): FileEntry {
  return { id: ROOT_ID, parentId: ROOT_ID, name: '', kind: 'folder', size: 0, type: '', hash: null, createdAt: EPOCH, modifiedAt: EPOCH, trashedAt: null, version: null };
}

/** Paging cursors are opaque to clients: the sort key of the last item answered. */
export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends unknown[]>(cursor: string, shape: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    value = undefined;
  }
  if (!shape(value)) throw new PodError('invalid', 'invalid cursor: pass back the `next` of the previous page unchanged');
  return value;
}

export const isNameCursor = (value: unknown): value is [string] => Array.isArray(value) && value.length === 1 && typeof value[0] === 'string';
export const isNameIdCursor = (value: unknown): value is [string, number] =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && Number.isSafeInteger(value[1]);
