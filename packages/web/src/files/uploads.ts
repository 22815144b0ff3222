import { PodError, toPodError, uploadBlob, type BrowserUploadProgress, type FileEntry, type PodClient } from '@pod/sdk';
import { useSyncExternalStore } from 'react';

/** One upload as the page shows it: a progress bar while it runs, then done or failed. */
export interface UploadItem {
  key: number;
  name: string;
  path: string;
  progress: BrowserUploadProgress | undefined;
  /** This run continues an upload an earlier page started (it found the chunks already sent). */
  resumed: boolean;
  error?: string;
  entry?: FileEntry;
}

/**
 * An upload the page started and did not finish, kept across reloads: picking the same file
 * again (same name and size) sends it to the same path, where the server resumes it and asks
 * only for the chunks it never got.
 */
export interface OpenUpload {
  name: string;
  size: number;
  path: string;
  uploadId: string;
}

const OPEN_KEY = 'pod.uploads.open';

export function openUploads(): OpenUpload[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(OPEN_KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as OpenUpload[]).filter((u) => typeof u?.name === 'string' && typeof u.path === 'string' && typeof u.size === 'number') : [];
  } catch {
    return [];
  }
}

function saveOpen(list: OpenUpload[]): void {
  localStorage.setItem(OPEN_KEY, JSON.stringify(list));
  emit();
}

export function forgetOpenUpload(path: string): void {
  saveOpen(openUploads().filter((u) => u.path !== path));
}

/** The open upload this file would continue, if any. */
export function openUploadFor(file: File): OpenUpload | undefined {
  return openUploads().find((u) => u.name === file.name && u.size === file.size);
}

let items: UploadItem[] = [];
let version = 0;
let nextKey = 1;
const listeners = new Set<() => void>();
function emit(): void {
  version++;
  for (const listener of listeners) listener();
}
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** Re-renders on every upload's progress and on the list of open uploads. */
export function useUploads(): { items: UploadItem[]; open: OpenUpload[] } {
  useSyncExternalStore(subscribe, () => version);
  return { items, open: openUploads() };
}

function update(key: number, change: Partial<UploadItem>): void {
  items = items.map((item) => (item.key === key ? { ...item, ...change } : item));
  emit();
}

export function clearFinishedUploads(): void {
  items = items.filter((item) => !item.entry && !item.error);
  emit();
}

/**
 * Uploads `file` to `path` (or, when it is a file an earlier page did not finish, to where
 * that one was going). Bytes go by PUT with the session cookie and the CSRF header.
 */
export async function startUpload(client: PodClient, csrf: string, file: File, path: string, options: { overwrite?: boolean } = {}): Promise<FileEntry> {
  const earlier = openUploadFor(file);
  const target = earlier?.path ?? path;
  const key = nextKey++;
  items = [...items, { key, name: file.name, path: target, progress: undefined, resumed: false }];
  emit();
  try {
    const { entry } = await uploadBlob({
      blob: file,
      path: target,
      ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
      ...(file.type && /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(file.type) ? { type: file.type } : {}),
      call: (name, body) => client.request(name, body),
      put: (url, bytes) => putBytes(url, bytes, csrf),
      onProgress: (progress) => {
        if (progress.uploadId && progress.phase === 'sending' && !openUploads().some((u) => u.path === target)) {
          saveOpen([...openUploads(), { name: file.name, size: file.size, path: target, uploadId: progress.uploadId }]);
        }
        update(key, { progress, resumed: earlier !== undefined && progress.chunksProven > 0 });
      },
    });
    forgetOpenUpload(target);
    update(key, { entry });
    return entry;
  } catch (error) {
    update(key, { error: (error as Error).message });
    throw error;
  }
}

/** PUTs a chunk or a small file with the session cookie and answers the server's JSON (a chunk's proof, a file's entry). */
async function putBytes(url: string, bytes: Uint8Array, csrf: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, { method: 'PUT', credentials: 'same-origin', headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrf }, body: bytes as Uint8Array<ArrayBuffer> });
    } catch (error) {
      if (attempt < 4) continue;
      throw new PodError('unavailable', `cannot reach the server: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (response.ok) return body;
    if (response.status === 503 && attempt < 4) continue;
    throw toPodError(body, response.status);
  }
}

/** A name free in `folder` for `name`: "name", else "name (2)", "name (3)"… before the extension. */
export function variantName(name: string, n: number): string {
  if (n <= 1) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/** Uploads without replacing anything: an existing name gets " (2)" and so on. */
export async function uploadAsNew(client: PodClient, csrf: string, file: File, folder: string): Promise<FileEntry> {
  const base = folder.endsWith('/') ? folder : `${folder}/`;
  for (let n = 1; ; n++) {
    try {
      return await startUpload(client, csrf, file, `${base}${variantName(file.name, n)}`, { overwrite: false });
    } catch (error) {
      if (!(error instanceof PodError && error.code === 'conflict' && /exists already/.test(error.message)) || n >= 50) throw error;
      items = items.filter((item) => item.error === undefined || item.name !== file.name);
      emit();
    }
  }
}
