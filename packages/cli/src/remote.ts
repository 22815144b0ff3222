import { PodError, type FileEntry } from '@pod/protocol';
import type { Api } from './api.ts';

/**
 * A path in the pod as typed: "/docs/a.txt", or "docs/a.txt" (paths start at the root of your
 * files, so the leading "/" may be left out). A trailing "/" is dropped; "~owner/..." names an
 * item someone shared with you and is kept as it is.
 */
export function remotePath(typed: string): string {
  if (typed === '' || typed === '/' || typed === '.') return '/';
  const path = typed.startsWith('/') || typed.startsWith('~') ? typed : `/${typed}`;
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
}

/** `name` inside the folder `dir`. */
export function joinRemote(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** The folder a path is in, and its last name: "/a/b" is "/a" and "b". */
export function splitRemote(path: string): { dir: string; name: string } {
  const at = path.lastIndexOf('/');
  return { dir: at <= 0 ? (path.startsWith('~') ? path : '/') : path.slice(0, at), name: path.slice(at + 1) };
}

/** The item at `path`, or undefined when there is none (any other failure is thrown). */
export async function statIfAny(api: Api, path: string): Promise<{ entry: FileEntry; path: string } | undefined> {
  try {
    return await api.call('files.stat', { target: path });
  } catch (error) {
    if (error instanceof PodError && error.code === 'not_found') return undefined;
    throw error;
  }
}

/** Every item of a folder, all pages of them. */
export async function listAll(api: Api, folder: string | number): Promise<{ path: string; entries: FileEntry[] }> {
  const entries: FileEntry[] = [];
  let cursor: string | undefined;
  let path = '';
  do {
    const page = await api.call('files.list', { folder, limit: 200, ...(cursor ? { cursor } : {}) });
    path = page.folder.path;
    entries.push(...page.entries);
    cursor = page.next;
  } while (cursor);
  return { path, entries };
}

/** Every page of a paged operation's list, gathered. */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    items.push(...answer.items);
    cursor = answer.next;
  } while (cursor);
  return items;
}
