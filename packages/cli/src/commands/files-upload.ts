import { PodError } from '@pod/protocol';
import { uploadFile, type UploadProgress } from '@pod/sdk/node';
import type { Command } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { signedIn, type Api } from '../api.ts';
import { jsonOption, outputFor } from '../output.ts';
import { transferProgress } from '../progress.ts';
import { joinRemote, remotePath } from '../remote.ts';
import { formatBytes } from '../units.ts';
import { inParallel } from './files-parallel.ts';

/** What `pod upload --json` prints for each file, one JSON object per line. */
export interface UploadedFile {
  path: string;
  local: string;
  size: number;
  bytesSent: number;
  chunks: number;
  chunksSent: number;
}

interface Plan {
  /** Where PATH goes in the pod, and whether it is a folder. */
  root: string;
  folder: boolean;
  files: { local: string; remote: string; size: number }[];
  /** Folders with nothing in them: uploading files creates every other folder on the way. */
  emptyFolders: string[];
  skipped: string[];
}

/** Files uploaded at once: enough to hide each one's round trips when there are many small ones. */
const FILES_AT_ONCE = 4;

/** `pod upload PATH [REMOTE_DIR]`. */
export function registerUpload(program: Command): void {
  jsonOption(
    program
      .command('upload')
      .description('upload a file or a folder (with everything in it) into REMOTE_DIR, sending only what the pod lacks')
      .argument('<path>', 'a file or folder on this computer')
      .argument('[remote-dir]', 'the folder in the pod to put it in (created if missing)', '/')
      .option('--no-progress', 'draw no progress bar, even on a terminal')
      .addHelpText(
        'after',
        '\nPATH keeps its name: pod upload ./photos /backup makes /backup/photos. A file that exists\n' +
          'in the pod becomes a new version of it. Each file is cut into chunks and hashed here, and\n' +
          'only the chunks the pod does not have are sent, so uploading again costs almost nothing.\n' +
          'With --json: one JSON object per file, on its own line, as each file is done:\n' +
          '  {"path","local","size","bytesSent","chunks","chunksSent"}',
      ),
  ).action(async (path: string, remoteDir: string, flags: { progress: boolean }, command: Command) => {
    const out = outputFor(command);
    const api = signedIn();
    const into = remotePath(remoteDir);
    const plan = await planUpload(resolve(path), path, into);
    for (const skipped of plan.skipped) out.note(`skipped ${skipped}: not a regular file or folder`);
    if (into !== '/') await api.call('files.mkdir', { path: into, parents: true });
    for (const folder of plan.emptyFolders) await api.call('files.mkdir', { path: folder, parents: true });
    const results = await uploadAll(api, plan, out.json, flags.progress, (file) => out.stream(file, () => ''));
    if (!out.json) out.result(results, (done) => summary(done, plan));
  });
}

async function planUpload(local: string, typed: string, into: string): Promise<Plan> {
  const info = await stat(local).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new PodError('not_found', `${typed}: no such file or folder on this computer`);
    throw new PodError('invalid', `${typed}: ${error.message}`);
  });
  if (basename(local) === '') throw new PodError('invalid', `${typed} is the root of this computer's file system; upload the folders in it one by one`);
  const plan: Plan = { root: joinRemote(into, basename(local)), folder: info.isDirectory(), files: [], emptyFolders: [], skipped: [] };
  if (info.isFile()) plan.files.push({ local, remote: plan.root, size: info.size });
  else if (info.isDirectory()) await walk(local, plan.root, plan);
  else throw new PodError('invalid', `${typed} is neither a file nor a folder`);
  return plan;
}

async function walk(dir: string, remote: string, plan: Plan): Promise<void> {
  const items = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw prefixed(error, dir);
  });
  if (items.length === 0) plan.emptyFolders.push(remote);
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const item of items) {
    const local = join(dir, item.name);
    const into = joinRemote(remote, item.name);
    // A link to a file is uploaded as that file; a link to a folder is skipped, as it may loop.
    const info = await stat(local).catch(() => undefined);
    if (info?.isFile()) plan.files.push({ local, remote: into, size: info.size });
    else if (info?.isDirectory() && !item.isSymbolicLink()) await walk(local, into, plan);
    else plan.skipped.push(local);
  }
}

async function uploadAll(api: Api, plan: Plan, json: boolean, progress: boolean, each: (file: UploadedFile) => void): Promise<UploadedFile[]> {
  const totalBytes = plan.files.reduce((sum, file) => sum + file.size, 0);
  const bar = transferProgress({ verb: 'uploading', totalBytes, totalFiles: plan.files.length, json, enabled: progress });
  // Bytes through, per file: hashing is the first half of a file's share, sending the second.
  const through = new Map<string, number>();
  let finished = 0;
  const redraw = (label: string) => bar.update([...through.values()].reduce((a, b) => a + b, 0), finished, label);
  const results: UploadedFile[] = [];
  try {
    await inParallel(plan.files, FILES_AT_ONCE, async (file, signal) => {
      const onProgress = (p: UploadProgress) => {
        // Sending starts while hashing goes on: what is sent counts against what is asked for so far, scaled by how much is hashed.
        const hashed = p.size === 0 ? 1 : p.bytesHashed / p.size;
        const sending = p.bytesToSend === 0 ? (p.phase === 'hashing' ? 0 : 1) : (p.bytesSent / p.bytesToSend) * (p.phase === 'hashing' ? hashed : 1);
        through.set(file.local, p.phase === 'done' ? p.size : (p.bytesHashed / 2 + (sending * p.size) / 2) | 0);
        redraw(`${p.phase} ${basename(file.local)}`);
      };
      const { session } = api;
      const uploaded = await uploadFile({ server: session.server, token: session.token, path: file.remote, source: file.local, onProgress, signal }).catch((error: unknown) => {
        throw prefixed(error, file.local);
      });
      finished++;
      through.set(file.local, file.size);
      redraw(basename(file.local));
      const result: UploadedFile = { path: file.remote, local: file.local, size: uploaded.size, bytesSent: uploaded.bytesSent, chunks: uploaded.chunks, chunksSent: uploaded.chunksSent };
      results.push(result);
      if (json) each(result);
    });
  } finally {
    bar.stop();
  }
  return results;
}

/** An error with the file it concerns in front, so a failure among a thousand files can be found. */
export function prefixed(error: unknown, subject: string): unknown {
  // A local file that cannot be read or written (EACCES, EISDIR, ENOSPC...) is the person's to fix, not a fault of Pod.
  const system = error as NodeJS.ErrnoException | undefined;
  if (!(error instanceof PodError) && typeof system?.syscall === 'string') return new PodError('invalid', `${subject}: ${system.message}`);
  if (!(error instanceof PodError) || error.message.startsWith(subject)) return error;
  return new PodError(error.code, `${subject}: ${error.message}`, error.data);
}

function summary(done: UploadedFile[], plan: Plan): string {
  const size = done.reduce((sum, file) => sum + file.size, 0);
  const sent = done.reduce((sum, file) => sum + file.bytesSent, 0);
  const chunks = done.reduce((sum, file) => sum + file.chunks, 0);
  const chunksSent = done.reduce((sum, file) => sum + file.chunksSent, 0);
  const what = plan.folder ? `${plan.root} (${done.length} ${done.length === 1 ? 'file' : 'files'}, ${formatBytes(size)})` : `${plan.root} (${formatBytes(size)})`;
  const pod = chunksSent < chunks ? '; the pod had the rest' : '';
  return `uploaded ${what}: sent ${formatBytes(sent)}, ${chunksSent} of ${chunks} chunks${pod}`;
}
