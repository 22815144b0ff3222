import type { FileEntry } from '@pod/protocol';
import { formatTime, table } from '../output.ts';
import { formatBytes } from '../units.ts';

/** A size column, right-aligned; folders show "-". */
function sizeCells(entries: readonly FileEntry[]): string[] {
  const cells = entries.map((e) => (e.kind === 'folder' ? '-' : formatBytes(e.size)));
  const width = Math.max(0, ...cells.map((cell) => cell.length));
  return cells.map((cell) => cell.padStart(width));
}

/** A folder's name with a "/" after it, so folders stand out in a listing. */
export function displayName(entry: FileEntry, name: string = entry.name): string {
  return entry.kind === 'folder' ? `${name}/` : name;
}

/** Items as aligned rows: size, modified time, then the name (or what `label` makes of the entry). */
export function entryRows(entries: readonly FileEntry[], label: (entry: FileEntry, i: number) => string = (e) => displayName(e), extra?: (entry: FileEntry, i: number) => string[]): string[] {
  const sizes = sizeCells(entries);
  return table(entries.map((entry, i) => [sizes[i]!, formatTime(entry.modifiedAt), ...(extra ? extra(entry, i) : []), label(entry, i)]));
}

/** A name as it would be typed in a shell. */
export function quoteArg(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
