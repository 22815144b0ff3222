import type { Command } from 'commander';
import { signedIn, type Api } from '../api.ts';
import { jsonOption, outputFor } from '../output.ts';
import { joinRemote, listAll, remotePath, splitRemote, statIfAny } from '../remote.ts';
import { entryRows, quoteArg } from './files-format.ts';

/** `pod ls`, `pod mkdir`, `pod mv`, `pod cp`, `pod rm`: the file tree. */
export function registerFileTree(program: Command): void {
  jsonOption(
    program
      .command('ls')
      .description('list a folder in the pod (size, modified time, name; folders end with "/")')
      .argument('[remote-dir]', 'the folder, such as /docs (default: the root of your files)', '/'),
  ).action(async (remoteDir: string, _flags: object, command: Command) => {
    const api = signedIn();
    const out = outputFor(command);
    const { entry, path } = await api.call('files.stat', { target: remotePath(remoteDir) });
    if (entry.kind === 'file') return out.result({ entry, path }, (s) => entryRows([s.entry], () => s.path));
    const listing = await listAll(api, entry.id);
    out.result({ folder: { id: entry.id, path: listing.path }, entries: listing.entries }, (l) => (l.entries.length === 0 ? `${l.folder.path} is empty` : entryRows(l.entries)));
  });

  jsonOption(
    program
      .command('mkdir')
      .description('create a folder in the pod, and any missing folders above it')
      .argument('<remote-dir>', 'the folder, such as /docs/2026'),
  ).action(async (remoteDir: string, _flags: object, command: Command) => {
    const path = remotePath(remoteDir);
    const made = await signedIn().call('files.mkdir', { path, parents: true });
    outputFor(command).result(made, (m) => (m.created ? `created ${path}` : `${path} exists already`));
  });

  const relocations = [
    ['mv', 'files.move', 'move or rename SRC: into DST when DST is a folder, else to the name DST', 'moved'],
    ['cp', 'files.copy', 'copy SRC (a folder with everything in it) into DST when DST is a folder, else to the name DST; no bytes are copied', 'copied'],
  ] as const;
  for (const [verb, op, description, done] of relocations) {
    jsonOption(program.command(verb).description(description).argument('<src>', 'the item in the pod').argument('<dst>', 'a folder, or the new path')).action(
      async (src: string, dst: string, _flags: object, command: Command) => {
        const api = signedIn();
        const from = remotePath(src);
        const { to, name } = await destination(api, remotePath(dst));
        const moved = await api.call(op, { target: from, to, ...(name === undefined ? {} : { name }) });
        outputFor(command).result(moved, (m) => `${done} ${from} to ${joinRemote(to, m.entry.name)}`);
      },
    );
  }

  jsonOption(
    program
      .command('rm')
      .description('move a file or folder (with everything in it) to the trash; pod trash restore brings it back')
      .argument('<remote>', 'the item in the pod'),
  ).action(async (remote: string, _flags: object, command: Command) => {
    const path = remotePath(remote);
    const deleted = await signedIn().call('files.delete', { target: path });
    outputFor(command).result(deleted, (d) => `moved ${path} to the trash (pod trash restore ${quoteArg(d.entry.name)} brings it back)`);
  });
}

/** Where mv and cp put an item: into DST when it is a folder, else into DST's folder as DST's name. */
async function destination(api: Api, dst: string): Promise<{ to: string; name?: string }> {
  const existing = await statIfAny(api, dst);
  if (existing?.entry.kind === 'folder') return { to: dst };
  // An existing file there makes the server answer conflict, naming it.
  const { dir, name } = splitRemote(dst);
  return { to: dir, name };
}

