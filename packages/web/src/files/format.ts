/** Sizes as people read them: 999 B, 1.2 KB, 3.4 MB (powers of 1024). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** The download route; the session cookie authenticates it. */
export const downloadUrl = (id: number) => `/v1/files/content?id=${id}`;

/** What a dragged pod file carries, so that a buddy or a conversation can take it. */
export const FILE_DRAG_TYPE = 'application/x-pod-file';

export interface DraggedFile {
  id: number;
  name: string;
}

export function readDraggedFile(data: DataTransfer): DraggedFile | undefined {
  const raw = data.getData(FILE_DRAG_TYPE);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<DraggedFile>;
    return typeof parsed.id === 'number' && typeof parsed.name === 'string' ? { id: parsed.id, name: parsed.name } : undefined;
  } catch {
    return undefined;
  }
}

/** The folder path `name` is in, joined without doubling slashes ("/" + "a" is "/a"; "~ann" + "a" is "~ann/a"). */
export const joinPath = (folder: string, name: string) => (folder.endsWith('/') ? `${folder}${name}` : `${folder}/${name}`);

/** Breadcrumbs of a folder path: "/a/b" is /, /a, /a/b; "~ann/a" is ~ann, ~ann/a. */
export function crumbs(path: string): { name: string; path: string }[] {
  const shared = path.startsWith('~');
  const parts = path.split('/').filter(Boolean);
  const out: { name: string; path: string }[] = shared ? [] : [{ name: 'My files', path: '/' }];
  let at = '';
  parts.forEach((part, index) => {
    at = shared && index === 0 ? part : `${at}/${part}`;
    out.push({ name: shared && index === 0 ? `Shared by ${part.slice(1)}` : part, path: at });
  });
  return out;
}
