import type { FileEntry, FileVersion, OpOutput } from '@pod/protocol';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { signedIn } from '../api.ts';
import { formatTime, jsonOption, outputFor, table } from '../output.ts';
import { remotePath } from '../remote.ts';
import { formatBytes, parseSize, parseWhen } from '../units.ts';
import { displayName, entryRows } from './files-format.ts';
import { parseCount } from './profile.ts';

interface FindFlags {
  type?: string;
  kind?: 'file' | 'folder';
  minSize?: number;
  maxSize?: number;
  after?: string;
  before?: string;
  limit?: number;
  scope?: 'own' | 'shared' | 'published' | 'all';
}

/** `pod find`, `pod versions`, `pod usage`. */
export function registerFileInfo(program: Command): void {
  jsonOption(
    program
      .command('find')
      .description('search your files and folders (or, with --scope, those shared with you or published) by name (any case), type, size and date')
      .argument('[query]', 'a part of the name; leave it out to match every name')
      .option('--type <type>', 'content type: exact (application/pdf) or a prefix ending in "/" (image/)')
      .addOption(new Option('--kind <kind>', 'only files or only folders').choices(['file', 'folder']))
      .addOption(new Option('--scope <scope>', 'whose files: yours (own, the default), shared with you, published, or all you may read').choices(['own', 'shared', 'published', 'all']))
      .option('--min-size <size>', 'at least this size (500, 10K, 1.5M, 2G)', parseSize)
      .option('--max-size <size>', 'at most this size', parseSize)
      .option('--after <when>', 'modified after: a date (2026-01-31), a date and time, or a span ago (7d)', (v) => parseWhen(v))
      .option('--before <when>', 'modified before (same forms as --after)', (v) => parseWhen(v))
      .option('--limit <n>', 'at most N results (default: all)', parseCount),
  ).action(async (query: string | undefined, flags: FindFlags, command: Command) => {
    const api = signedIn();
    const filter = {
      ...(query === undefined ? {} : { query }),
      ...(flags.type === undefined ? {} : { type: flags.type }),
      ...(flags.kind === undefined ? {} : { kind: flags.kind }),
      ...(flags.scope === undefined ? {} : { scope: flags.scope }),
      ...(flags.minSize === undefined ? {} : { minSize: flags.minSize }),
      ...(flags.maxSize === undefined ? {} : { maxSize: flags.maxSize }),
      ...(flags.after === undefined ? {} : { modifiedAfter: flags.after }),
      ...(flags.before === undefined ? {} : { modifiedBefore: flags.before }),
    };
    const results: { entry: FileEntry; path: string }[] = [];
    let cursor: string | undefined;
    do {
      const wanted = flags.limit === undefined ? 200 : Math.min(200, flags.limit - results.length);
      const page = await api.call('files.search', { ...filter, limit: wanted, ...(cursor ? { cursor } : {}) });
      results.push(...page.results);
      cursor = flags.limit !== undefined && results.length >= flags.limit ? undefined : page.next;
    } while (cursor);
    outputFor(command).result({ results }, (r) =>
      r.results.length === 0 ? 'nothing found' : entryRows(r.results.map((x) => x.entry), (e, i) => displayName(e, r.results[i]!.path)),
    );
  });

  jsonOption(
    program
      .command('versions')
      .description('list the versions of a file in the pod, newest first; --restore makes an earlier one current again')
      .argument('<remote>', 'the file, such as /docs/report.pdf')
      .option('--restore <id>', 'make the version with this id current again (as a new version; the current one is kept)', parseVersionId),
  ).action(async (remote: string, flags: { restore?: number }, command: Command) => {
    const api = signedIn();
    const path = remotePath(remote);
    const out = outputFor(command);
    if (flags.restore !== undefined) {
      const restored = await api.call('files.versions.restore', { target: path, version: flags.restore });
      return out.result(restored, (r) => `restored version ${flags.restore} of ${path}: it is current again as version ${r.entry.version} (${formatBytes(r.entry.size)})`);
    }
    const listing = await api.call('files.versions', { target: path });
    out.result(listing, (l) => showVersions(l.versions));
  });

  jsonOption(program.command('usage').description('what your files take: logical bytes against your quota, and what deduplication saved')).action(
    async (_flags: object, command: Command) => {
      const usage = await signedIn().call('files.usage', {});
      outputFor(command).result(usage, showUsage);
    },
  );
}

function parseVersionId(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a version id (a whole number, as pod versions lists them).');
  return n;
}

export function showVersions(versions: readonly FileVersion[]): string[] {
  const sizes = versions.map((v) => formatBytes(v.size));
  const width = Math.max(4, ...sizes.map((s) => s.length));
  return table([
    ['ID', 'SIZE'.padStart(width), 'CREATED', 'SHA-256', ''],
    ...versions.map((v, i) => [String(v.id), sizes[i]!.padStart(width), formatTime(v.createdAt), `${v.hash.slice(0, 12)}…`, v.current ? 'current' : '']),
  ]);
}

export function showUsage(u: OpOutput<'files.usage'>): string[] {
  const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : '0%');
  return table([
    ['used', formatBytes(u.logicalBytes), `current files ${formatBytes(u.currentBytes)}, earlier versions ${formatBytes(u.versionBytes)}, trash ${formatBytes(u.trashBytes)}`],
    ['quota', u.quotaBytes === null ? 'none' : formatBytes(u.quotaBytes), u.quotaBytes === null ? '' : `${percent(u.logicalBytes, u.quotaBytes)} used, ${formatBytes(Math.max(0, u.quotaBytes - u.logicalBytes))} free`],
    ['stored', formatBytes(u.storedBytes), 'on the server, each distinct chunk once, compressed where it pays'],
    ['saved', formatBytes(u.savedBytes), `${percent(u.savedBytes, u.logicalBytes)} of what you use, by deduplication and compression`],
    ['items', `${u.files} ${u.files === 1 ? 'file' : 'files'}`, `in ${u.folders} ${u.folders === 1 ? 'folder' : 'folders'}`],
  ]);
}
