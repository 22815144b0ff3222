import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileEntry, FileVersion } from '@pod/protocol';
import { startTestPod, type TestPod } from '../../server/test/helpers/pod.ts';
import { cliUser, pod, podBin, removeAll, tempDir, type CliUser, type RunResult } from './helpers/cli.ts';

interface FilesUser extends CliUser {
  cache: string;
  /** Runs pod with this user's config and its own download cache. */
  files(args: string[]): Promise<RunResult>;
  filesOk(args: string[]): Promise<string>;
  /** The JSON lines (or the one document) a --json run prints. */
  lines<T>(args: string[]): Promise<T[]>;
}

const QUOTA = 1024 ** 3;

async function filesUser(test: TestPod, name: string, cleanup: string[]): Promise<FilesUser> {
  const user = await cliUser(test, name, cleanup);
  const cache = tempDir(`pod-cache-${name}-`, cleanup);
  const files = (args: string[]) => pod(args, { configDir: user.configDir, env: { POD_CACHE_DIR: cache } });
  const filesOk = async (args: string[]) => {
    const result = await files(args);
    if (result.code !== 0) throw new Error(`pod ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    return result.stdout;
  };
  const lines = async <T>(args: string[]) =>
    (await filesOk([...args, '--json']))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T);
  return { ...user, cache, files, filesOk, lines };
}

/** Every file and folder under `dir`, relative, with each file's bytes (folders as null). */
function snapshot(dir: string, prefix = ''): Map<string, Buffer | null> {
  const found = new Map<string, Buffer | null>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const relative = prefix + name;
    if (statSync(path).isDirectory()) {
      found.set(`${relative}/`, null);
      for (const [k, v] of snapshot(path, `${relative}/`)) found.set(k, v);
    } else found.set(relative, readFileSync(path));
  }
  return found;
}

/** A folder tree with a multi-chunk file, an empty file, an empty folder and a non-ASCII name. */
function makeTree(root: string): void {
  mkdirSync(join(root, 'docs', 'deep', 'deeper'), { recursive: true });
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'big.bin'), randomBytes(3 * 1024 * 1024 + 17));
  writeFileSync(join(root, 'docs', 'notes.txt'), 'notes\n');
  writeFileSync(join(root, 'docs', 'deep', 'deeper', 'café.txt'), 'crème brûlée\n');
  writeFileSync(join(root, 'zero'), '');
}

type Uploaded = { path: string; local: string; size: number; bytesSent: number; chunks: number; chunksSent: number };
type Downloaded = { path: string; local: string; size: number; bytesReceived: number; source: string };

describe('file commands of the pod command', () => {
  const cleanup: string[] = [];
  let test: TestPod;
  before(async () => {
    test = await startTestPod({ filesQuotaBytes: QUOTA });
  });
  after(async () => {
    await test.close();
    await removeAll(cleanup);
  });

  it('uploads a folder tree, sends nothing the second time, and downloads it back byte for byte', async () => {
    const alice = await filesUser(test, 'alice', cleanup);
    const work = tempDir('pod-files-', cleanup);
    const tree = join(work, 'tree');
    makeTree(tree);

    const first = await alice.lines<Uploaded>(['upload', tree, '/backup']);
    assert.deepEqual(first.map((f) => f.path).sort(), ['/backup/tree/big.bin', '/backup/tree/docs/deep/deeper/café.txt', '/backup/tree/docs/notes.txt', '/backup/tree/zero']);
    for (const file of first) {
      assert.deepEqual(Object.keys(file).sort(), ['bytesSent', 'chunks', 'chunksSent', 'local', 'path', 'size']);
      assert.equal(file.bytesSent, file.size, `${file.path} was all new`);
    }
    const big = first.find((f) => f.path.endsWith('big.bin'))!;
    assert.ok(big.chunks > 1 && big.chunksSent === big.chunks, `${big.chunks} chunks, ${big.chunksSent} sent`);

    const again = await alice.files(['upload', tree, '/backup', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const second = again.stdout.trim().split('\n').map((l) => JSON.parse(l) as Uploaded);
    assert.equal(second.length, 4);
    for (const file of second) assert.deepEqual([file.path, file.chunksSent, file.bytesSent], [file.path, 0, 0]);
    // Not a terminal: no bar, no control characters, nothing on stderr at all.
    assert.equal(again.stderr, '');

    const human = await alice.files(['upload', join(tree, 'docs', 'notes.txt'), 'backup']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^uploaded \/backup\/notes\.txt \(6 B\): sent 0 B, 0 of 1 chunks; the pod had the rest\n$/);
    assert.equal(human.stderr, '');

    const back = join(work, 'back');
    const downloaded = await alice.lines<Downloaded>(['download', '/backup/tree', back]);
    assert.deepEqual(downloaded.map((d) => d.source), ['network', 'network', 'network', 'network']);
    assert.deepEqual(snapshot(back), snapshot(tree));

    // Into an existing folder it keeps its name; the same content comes from the cache, or is left in place.
    const fromCache = await alice.lines<Downloaded>(['download', '/backup/tree', work]);
    assert.ok(fromCache.every((d) => d.bytesReceived === 0 && ['cache', 'destination'].includes(d.source)), JSON.stringify(fromCache));
    const inPlace = await alice.lines<Downloaded>(['download', 'backup/tree/big.bin', join(back, 'big.bin')]);
    assert.deepEqual(inPlace.map((d) => [d.source, d.bytesReceived]), [['destination', 0]]);
    const text = await alice.files(['download', '/backup/notes.txt', join(work, 'n.txt')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^downloaded \/backup\/notes\.txt to .*n\.txt \(6 B\): received 0 B; 6 B was already on this computer\n$/);
    assert.equal(readFileSync(join(work, 'n.txt'), 'utf8'), 'notes\n');
  });

  it('ls, mkdir, mv, cp, rm, and the trash: list, restore by name or id, empty', async () => {
    const bob = await filesUser(test, 'bob', cleanup);
    const work = tempDir('pod-files-', cleanup);
    mkdirSync(join(work, 'x'));
    writeFileSync(join(work, 'x', 'a.txt'), 'aaa');
    writeFileSync(join(work, 'x', 'b.txt'), 'b'.repeat(3000));
    await bob.filesOk(['upload', join(work, 'x')]);
    assert.match(await bob.filesOk(['mkdir', '/y/z']), /^created \/y\/z\n$/);
    assert.match(await bob.filesOk(['mkdir', 'y/z']), /^\/y\/z exists already\n$/);

    const listing = (await bob.lines<{ folder: { path: string }; entries: FileEntry[] }>(['ls', '/x']))[0]!;
    assert.equal(listing.folder.path, '/x');
    assert.deepEqual(listing.entries.map((e) => [e.name, e.size]), [['a.txt', 3], ['b.txt', 3000]]);
    const lines = (await bob.filesOk(['ls'])).trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(/\d{4}-\d\d-\d\d \d\d:\d\d/, 'TIME')), ['-  TIME  x/', '-  TIME  y/']);
    assert.match((await bob.filesOk(['ls', 'x'])).split('\n')[1]!, /^2\.9 KiB  \d{4}-\d\d-\d\d \d\d:\d\d  b\.txt$/);

    assert.equal(await bob.filesOk(['mv', '/x/a.txt', '/y']), 'moved /x/a.txt to /y/a.txt\n');
    assert.equal(await bob.filesOk(['mv', '/y/a.txt', '/y/renamed.txt']), 'moved /y/a.txt to /y/renamed.txt\n');
    assert.equal(await bob.filesOk(['cp', '/x', '/y/z']), 'copied /x to /y/z/x\n');
    assert.equal(await bob.filesOk(['cp', '/x/b.txt', '/b-copy.txt']), 'copied /x/b.txt to /b-copy.txt\n');
    const copied = (await bob.lines<{ entries: FileEntry[] }>(['ls', '/y/z/x']))[0]!;
    assert.deepEqual(copied.entries.map((e) => e.name), ['b.txt']);
    const taken = await bob.files(['mv', '/b-copy.txt', '/x/b.txt']);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^error conflict: /);

    // Two trashed items named b.txt: the name alone is ambiguous.
    assert.match(await bob.filesOk(['rm', '/x/b.txt']), /^moved \/x\/b\.txt to the trash \(pod trash restore b\.txt brings it back\)\n$/);
    await bob.filesOk(['rm', 'y/z/x/b.txt']);
    await bob.filesOk(['rm', '/y/renamed.txt']);
    const trash = (await bob.lines<{ items: { entry: FileEntry; from: string | null }[] }>(['trash']))[0]!;
    assert.deepEqual(trash.items.map((i) => [i.entry.name, i.from]), [['renamed.txt', '/y'], ['b.txt', '/y/z/x'], ['b.txt', '/x']]);
    const table = (await bob.filesOk(['trash'])).trimEnd().split('\n');
    assert.match(table[0]!, /^ID\s+SIZE\s+DELETED\s+NAME\s+FROM$/);
    assert.equal(table.length, 4);

    const ambiguous = await bob.files(['trash', 'restore', 'b.txt']);
    assert.equal(ambiguous.code, 1);
    const ids = trash.items.filter((i) => i.entry.name === 'b.txt').map((i) => i.entry.id);
    assert.match(ambiguous.stderr, /^error conflict: 2 items in the trash are named b\.txt: /);
    for (const id of ids) assert.ok(ambiguous.stderr.includes(`${id} (file of 2.9 KiB`), ambiguous.stderr);

    assert.equal(await bob.filesOk(['trash', 'restore', String(ids[1])]), 'restored /x/b.txt\n');
    assert.equal(await bob.filesOk(['trash', 'restore', 'renamed.txt', '--to', '/', '--as', 'back.txt']), 'restored /back.txt\n');
    const missing = await bob.files(['trash', 'restore', 'nothing.txt']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'error not_found: nothing named nothing.txt is in the trash; pod trash lists what is\n']);
    assert.match(await bob.filesOk(['trash', 'empty']), /^deleted 1 item for good, freeing 2\.9 KiB\n$/);
    assert.equal(await bob.filesOk(['trash']), 'the trash is empty\n');
    assert.equal(await bob.filesOk(['ls', '/back.txt']).then((l) => l.trim().split(/\s+/).at(-1)), '/back.txt');
  });

  it('usage, find and versions', async () => {
    const carol = await filesUser(test, 'carol', cleanup);
    const work = tempDir('pod-files-', cleanup);
    const report = join(work, 'report.txt');
    writeFileSync(report, 'first draft\n');
    writeFileSync(join(work, 'photo.png'), randomBytes(20_000));
    await carol.filesOk(['upload', report, '/docs']);
    await carol.filesOk(['upload', join(work, 'photo.png'), '/pictures']);
    await carol.filesOk(['cp', '/pictures/photo.png', '/pictures/same.png']);

    const usage = (await carol.lines<{ logicalBytes: number; savedBytes: number; quotaBytes: number | null; files: number; folders: number }>(['usage']))[0]!;
    assert.deepEqual([usage.logicalBytes, usage.quotaBytes, usage.files, usage.folders], [12 + 40_000, QUOTA, 3, 2]);
    // The copy of photo.png stores nothing new (random bytes do not compress: the rest is framing).
    assert.ok(usage.savedBytes >= 19_000, `saved ${usage.savedBytes}`);
    const shown = await carol.filesOk(['usage']);
    assert.match(shown, /^used\s+39 KiB\s+current files 39 KiB, earlier versions 0 B, trash 0 B$/m);
    assert.match(shown, /^quota\s+1\.0 GiB\s+0% used, /m);
    assert.match(shown, /^saved\s+/m);

    const found = async (args: string[]) => (await carol.lines<{ results: { path: string }[] }>(['find', ...args]))[0]!.results.map((r) => r.path);
    assert.deepEqual(await found(['PHOTO']), ['/pictures/photo.png']);
    assert.deepEqual(await found(['--type', 'image/']), ['/pictures/photo.png', '/pictures/same.png']);
    assert.deepEqual(await found(['--min-size', '10K']), ['/pictures/photo.png', '/pictures/same.png']);
    assert.deepEqual(await found(['--max-size', '1K', '--kind', 'file']), ['/docs/report.txt']);
    assert.deepEqual(await found(['--kind', 'folder']), ['/docs', '/pictures']);
    assert.deepEqual(await found(['--after', '1d', '--type', 'image/', '--limit', '1']), ['/pictures/photo.png']);
    assert.deepEqual(await found(['--before', '2000-01-01']), []);
    assert.match(await carol.filesOk(['find', 'report']), /^12 B  \d{4}-\d\d-\d\d \d\d:\d\d  \/docs\/report\.txt\n$/);

    writeFileSync(report, 'second draft, longer\n');
    await carol.filesOk(['upload', report, '/docs']);
    const versions = (await carol.lines<{ versions: FileVersion[] }>(['versions', '/docs/report.txt']))[0]!.versions;
    assert.deepEqual(versions.map((v) => [v.size, v.current]), [[21, true], [12, false]]);
    const listed = (await carol.filesOk(['versions', '/docs/report.txt'])).trimEnd().split('\n');
    assert.equal(listed.length, 3);
    assert.match(listed[1]!, new RegExp(`^${versions[0]!.id}\\s+21 B\\s+\\S+ \\S+\\s+${versions[0]!.hash.slice(0, 12)}…\\s+current$`));

    const older = versions[1]!.id;
    const oldCopy = join(work, 'old.txt');
    await carol.filesOk(['download', '/docs/report.txt', oldCopy, '--version-id', String(older)]);
    assert.equal(readFileSync(oldCopy, 'utf8'), 'first draft\n');
    assert.match(await carol.filesOk(['versions', '/docs/report.txt', '--restore', String(older)]), new RegExp(`^restored version ${older} of /docs/report\\.txt: it is current again as version \\d+ \\(12 B\\)\\n$`));
    await carol.filesOk(['download', '/docs/report.txt', join(work, 'now.txt')]);
    assert.equal(readFileSync(join(work, 'now.txt'), 'utf8'), 'first draft\n');
  });

  it('bad input: a clear error and exit 1, or a usage error and exit 2', async () => {
    const dave = await filesUser(test, 'dave', cleanup);
    const work = tempDir('pod-files-', cleanup);
    const noLocal = await dave.files(['upload', join(work, 'not-here'), '/x']);
    assert.deepEqual([noLocal.code, noLocal.stdout], [1, '']);
    assert.equal(noLocal.stderr, `error not_found: ${join(work, 'not-here')}: no such file or folder on this computer\n`);

    const notFound = [['download', '/nothing/here.txt'], ['ls', '/nothing'], ['rm', '/nothing'], ['mv', '/nothing', '/x'], ['versions', '/nothing']];
    for (const [args, result] of await Promise.all(notFound.map(async (args) => [args, await dave.files(args)] as const))) {
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error not_found: .+\n$/, args.join(' '));
    }
    const badName = await dave.files(['mkdir', '/a//b']);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /^error invalid: .*empty name/);
    writeFileSync(join(work, 'f.txt'), 'f');
    await dave.filesOk(['upload', join(work, 'f.txt')]);
    // A file where a folder should be: the local error, naming the file, and exit 1.
    const notDir = await dave.files(['download', '/f.txt', join(work, 'f.txt', 'inside')]);
    assert.equal(notDir.code, 1);
    assert.match(notDir.stderr, /^error invalid: \/f\.txt: (ENOTDIR|EEXIST): /);
    const folderNotDir = await dave.files(['download', '/', join(work, 'f.txt', 'all')]);
    assert.equal(folderNotDir.code, 1);
    assert.match(folderNotDir.stderr, /^error invalid: .*f\.txt\/all: (ENOTDIR|EEXIST): /);
    const folderVersion = await dave.files(['download', '/', join(work, 'all'), '--version-id', '3']);
    assert.deepEqual([folderVersion.code, folderVersion.stderr], [1, 'error invalid: / is a folder; --version-id is for a file\n']);

    const usage = [['find', '--min-size', 'lots'], ['find', '--after', 'yesterday'], ['find', '--kind', 'link'], ['upload'], ['versions', '/f.txt', '--restore', 'x']];
    for (const [args, result] of await Promise.all(usage.map(async (args) => [args, await dave.files(args)] as const))) {
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error invalid: /, args.join(' '));
    }
  });

  it('draws a progress bar on a terminal', { skip: spawnSync('script', ['--version']).status !== 0 && 'needs script(1) from util-linux' }, async () => {
    const erin = await filesUser(test, 'erin', cleanup);
    const work = tempDir('pod-files-', cleanup);
    writeFileSync(join(work, 'big.bin'), randomBytes(8 * 1024 * 1024));
    // script(1) runs the command on a pseudo-terminal, so stderr is a TTY as at a person's terminal.
    const command = `${process.execPath} ${podBin} upload ${join(work, 'big.bin')} /tty`;
    // Not spawnSync: the server under test runs in this process and must go on answering.
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, POD_CONFIG_DIR: erin.configDir, POD_CACHE_DIR: erin.cache, COLUMNS: '160' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const run = { status, stdout: output };
    assert.equal(run.status, 0, run.stdout);
    assert.match(run.stdout, /uploading \[[█░]+\] \d+% \| [\d.]+ [KMG]?i?B of 8\.0 MiB \| \d of 1 files/);
    assert.match(run.stdout, /uploaded \/tty\/big\.bin \(8\.0 MiB\): sent 8\.0 MiB/);
  });
});
