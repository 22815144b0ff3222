import { PodError, type FileEntry } from '@pod/protocol';
import type { Command } from 'commander';
import { signedIn, type Api } from '../api.ts';
import { formatTime, jsonOption, outputFor, table } from '../output.ts';
import { allPages, joinRemote, remotePath } from '../remote.ts';
import { formatBytes } from '../units.ts';
import { displayName } from './files-format.ts';

type TrashItem = { entry: FileEntry; from: string | null };

/** `pod trash`, `pod trash restore`, `pod trash empty`. */
export function registerTrash(program: Command): void {
  const trash = jsonOption(
    program.command('trash').description('list what is in the trash, most recently deleted first; restore or empty it with the subcommands'),
  ).action(async (_flags: object, command: Command) => {
    const items = await trashItems(signedIn());
    outputFor(command).result({ items }, (t) => (t.items.length === 0 ? 'the trash is empty' : showTrash(t.items)));
  });

  jsonOption(
    trash
      .command('restore')
      .description('put an item from the trash back where it was')
      .argument('<name>', 'its name, or its id (from pod trash) when several trashed items share the name')
      .option('--to <remote-dir>', 'restore it into this folder instead')
      .option('--as <name>', 'restore it under this name instead (when the old one is taken)'),
  ).action(async (name: string, flags: { to?: string; as?: string }, command: Command) => {
    const api = signedIn();
    const item = pick(await trashItems(api), name);
    const restored = await api.call('files.trash.restore', {
      id: item.entry.id,
      ...(flags.to === undefined ? {} : { to: remotePath(flags.to) }),
      ...(flags.as === undefined ? {} : { name: flags.as }),
    });
    const where = flags.to === undefined ? item.from : remotePath(flags.to);
    outputFor(command).result(restored, (r) => `restored ${where ? joinRemote(where, displayName(r.entry)) : displayName(r.entry)}`);
  });

  jsonOption(trash.command('empty').description('delete everything in the trash for good, freeing its space')).action(async (_flags: object, command: Command) => {
    const emptied = await signedIn().call('files.trash.empty', {});
    outputFor(command).result(emptied, (e) => (e.removed === 0 ? 'the trash was empty' : `deleted ${e.removed} ${e.removed === 1 ? 'item' : 'items'} for good, freeing ${formatBytes(e.freedBytes)}`));
  });
}

function trashItems(api: Api): Promise<TrashItem[]> {
  return allPages(async (cursor) => api.call('files.trash.list', { limit: 200, ...(cursor ? { cursor } : {}) }));
}

function showTrash(items: TrashItem[]): string[] {
  const sizes = items.map((i) => (i.entry.kind === 'folder' ? '-' : formatBytes(i.entry.size)));
  const width = Math.max(4, ...sizes.map((s) => s.length));
  return table([
    ['ID', 'SIZE'.padStart(width), 'DELETED', 'NAME', 'FROM'],
    ...items.map((i, n) => [String(i.entry.id), sizes[n]!.padStart(width), formatTime(i.entry.trashedAt ?? i.entry.modifiedAt), displayName(i.entry), i.from ?? '(folder gone)']),
  ]);
}

/** The trashed item a person named: by id, else by name; several of one name is an error listing them. */
export function pick(items: TrashItem[], typed: string): TrashItem {
  if (/^\d+$/.test(typed)) {
    const byId = items.find((i) => i.entry.id === Number(typed));
    if (byId) return byId;
  }
  const name = typed.normalize('NFC');
  const named = items.filter((i) => i.entry.name === name);
  if (named.length === 1) return named[0]!;
  if (named.length === 0) throw new PodError('not_found', `nothing named ${typed} is in the trash; pod trash lists what is`);
  const which = named.map((i) => `${i.entry.id} (${i.entry.kind}${i.entry.kind === 'file' ? ` of ${formatBytes(i.entry.size)}` : ''}, from ${i.from ?? 'a folder since deleted'}, deleted ${formatTime(i.entry.trashedAt ?? '')})`);
  throw new PodError('conflict', `${named.length} items in the trash are named ${typed}: ${which.join('; ')}. Restore one by its id, such as pod trash restore ${named[0]!.entry.id}`, {
    ids: named.map((i) => i.entry.id),
  });
}
