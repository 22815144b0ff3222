import { PodError, type FileEntry } from '@pod/protocol';
import { downloadFile, type DownloadResult } from '@pod/sdk/node';
import { InvalidArgumentError, type Command } from 'commander';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { signedIn, type Api } from '../api.ts';
import { jsonOption, outputFor } from '../output.ts';
import { transferProgress } from '../progress.ts';
import { joinRemote, listAll, remotePath } from '../remote.ts';
import { formatBytes } from '../units.ts';
import { inParallel } from './files-parallel.ts';
import { prefixed } from './files-upload.ts';

/** What `pod download --json` prints for each file, one JSON object per line. */
export interface DownloadedFile {
  path: string;
  local: string;
  size: number;
  bytesReceived: number;
  /** Where the bytes came from: the network, the local cache, or the file already there. */
  source: DownloadResult['source'];
}

interface Plan {
  root: string;
  folder: boolean;
  files: { id: number; remote: string; local: string; size: number }[];
  folders: string[];
}

const FILES_AT_ONCE = 4;

/** `pod download REMOTE [LOCAL]`. */
export function registerDownload(program: Command): void {
  jsonOption(
    program
      .command('download')
      .description('download a file or a folder (with everything in it) from the pod')
      .argument('<remote>', 'a file or folder in the pod, such as /docs/report.pdf')
      .argument('[local]', 'where to put it: an existing folder (it goes inside, keeping its name) or a new name; default: here')
      .option('--version-id <id>', 'an earlier version of a file (ids from pod versions)', parseId)
      .option('--no-progress', 'draw no progress bar, even on a terminal')
      .addHelpText(
        'after',
        '\nDownloaded content is kept in a cache by its hash ($POD_CACHE_DIR, else $XDG_CACHE_HOME/pod/files or ~/.cache/pod/files),\n' +
          'so content already on this computer is never downloaded again; a file already in place\n' +
          'with the same content is left as it is. With --json: one JSON object per file, on its own\n' +
          'line: {"path","local","size","bytesReceived","source"} (source: network, cache or destination).',
      ),
  ).action(async (remote: string, local: string | undefined, flags: { versionId?: number; progress: boolean }, command: Command) => {
    const out = outputFor(command);
    const api = signedIn();
    const plan = await planDownload(api, remotePath(remote), local);
    if (plan.folder && flags.versionId !== undefined) throw new PodError('invalid', `${plan.root} is a folder; --version-id is for a file`);
    for (const folder of plan.folders) {
      await mkdir(folder, { recursive: true }).catch((error: unknown) => {
        throw prefixed(error, folder);
      });
    }
    const results = await downloadAll(api, plan, flags.versionId, out.json, flags.progress, (file) => out.stream(file, () => ''));
    if (!out.json) out.result(results, (done) => summary(done, plan));
  });
}

function parseId(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a version id (a whole number; see pod versions).');
  return n;
}

async function planDownload(api: Api, remote: string, typedLocal: string | undefined): Promise<Plan> {
  const { entry, path } = await api.call('files.stat', { target: remote });
  const name = entry.id === 0 ? '' : entry.name;
  // Like cp: into an existing folder under the item's own name, else under the name given.
  const given = typedLocal === undefined ? undefined : resolve(typedLocal);
  const existing = given === undefined ? undefined : await stat(given).catch(() => undefined);
  const into = given === undefined ? resolve(name || '.') : existing?.isDirectory() && name ? join(given, name) : given;
  if (entry.kind === 'file') {
    return { root: path, folder: false, files: [{ id: entry.id, remote: path, local: into, size: entry.size }], folders: [] };
  }
  const plan: Plan = { root: path, folder: true, files: [], folders: [into] };
  await walk(api, entry, path, into, plan);
  return plan;
}

async function walk(api: Api, folder: FileEntry, remote: string, local: string, plan: Plan): Promise<void> {
  const { entries } = await listAll(api, folder.id);
  for (const entry of entries) {
    const into = join(local, entry.name);
    // The server refuses "/", ".." and NUL in names; this holds the line should one get through.
    if (!into.startsWith(local + sep)) throw new PodError('invalid', `${joinRemote(remote, entry.name)} has a name that cannot be written here`);
    if (entry.kind === 'file') plan.files.push({ id: entry.id, remote: joinRemote(remote, entry.name), local: into, size: entry.size });
    else {
      plan.folders.push(into);
      await walk(api, entry, joinRemote(remote, entry.name), into, plan);
    }
  }
}

async function downloadAll(api: Api, plan: Plan, version: number | undefined, json: boolean, progress: boolean, each: (file: DownloadedFile) => void): Promise<DownloadedFile[]> {
  const totalBytes = plan.files.reduce((sum, file) => sum + file.size, 0);
  const bar = transferProgress({ verb: 'downloading', totalBytes, totalFiles: plan.files.length, json, enabled: progress });
  const through = new Map<number, number>();
  let finished = 0;
  const redraw = (label: string) => bar.update([...through.values()].reduce((a, b) => a + b, 0), finished, label);
  const results: DownloadedFile[] = [];
  try {
    await inParallel(plan.files, FILES_AT_ONCE, async (file) => {
      const { session } = api;
      const onProgress = (p: { bytesReceived: number }) => {
        through.set(file.id, p.bytesReceived);
        redraw(file.remote);
      };
      const done = await downloadFile({ server: session.server, token: session.token, target: file.id, to: file.local, onProgress, ...(version === undefined ? {} : { version }) }).catch(
        (error: unknown) => {
          throw prefixed(error, file.remote);
        },
      );
      finished++;
      through.set(file.id, file.size);
      redraw(file.remote);
      const result: DownloadedFile = { path: file.remote, local: file.local, size: done.size, bytesReceived: done.bytesReceived, source: done.source };
      results.push(result);
      if (json) each(result);
    });
  } finally {
    bar.stop();
  }
  return results;
}

function summary(done: DownloadedFile[], plan: Plan): string {
  const size = done.reduce((sum, file) => sum + file.size, 0);
  const received = done.reduce((sum, file) => sum + file.bytesReceived, 0);
  const where = plan.folder ? `${plan.folders[0]} (${done.length} ${done.length === 1 ? 'file' : 'files'}, ${formatBytes(size)})` : `${done[0]!.local} (${formatBytes(size)})`;
  const already = size - received > 0 ? `; ${formatBytes(size - received)} was already on this computer` : '';
  return `downloaded ${plan.root} to ${where}: received ${formatBytes(received)}${already}`;
}
