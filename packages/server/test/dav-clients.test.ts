import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { davUser, type DavUser } from './helpers/dav.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

const run = promisify(execFile);

function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Debian's rclone 1.60 against /dav/, configured through the environment only. */
async function rclone(pod: TestPod, user: DavUser, ...args: string[]): Promise<string> {
  const { stdout: obscured } = await run('rclone', ['obscure', user.appPassword]);
  const env = {
    ...process.env,
    RCLONE_CONFIG: '/dev/null',
    RCLONE_CONFIG_POD_TYPE: 'webdav',
    RCLONE_CONFIG_POD_URL: `${pod.url}/dav/`,
    RCLONE_CONFIG_POD_VENDOR: 'other',
    RCLONE_CONFIG_POD_USER: user.name,
    RCLONE_CONFIG_POD_PASS: obscured.trim(),
  };
  const { stdout } = await run('rclone', ['--low-level-retries', '1', '--retries', '1', ...args], { env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Debian's cadaver, scripted through stdin, with the credentials in a temporary ~/.netrc. */
function cadaver(pod: TestPod, user: DavUser, home: string, cwd: string, script: string[]): Promise<string> {
  const host = new URL(pod.url).hostname;
  writeFileSync(join(home, '.netrc'), `machine ${host}\nlogin ${user.name}\npassword ${user.appPassword}\n`, { mode: 0o600 });
  return new Promise((resolve, reject) => {
    const child = spawn('cadaver', [`${pod.url}/dav/`], { cwd, env: { ...process.env, HOME: home } });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(output));
    child.stdin.end(`${script.join('\n')}\nquit\n`);
  });
}

describe('WebDAV with real clients', () => {
  let pod: TestPod;
  let ann: DavUser;
  let work: string;
  before(async () => {
    pod = await startTestPod();
    ann = await davUser(pod, 'ann');
    work = mkdtempSync(join(tmpdir(), 'pod-dav-clients-'));
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await pod.close();
  });

  it('rclone copies a folder tree up and back byte for byte, lists, makes folders, moves and deletes', async () => {
    const up = join(work, 'up');
    mkdirSync(join(up, 'deep', 'deeper'), { recursive: true });
    const files: Record<string, Buffer> = {
      'a.txt': Buffer.from('hello from rclone\n'),
      'empty.bin': Buffer.alloc(0),
      'deep/big.bin': bytes(3 * 1024 * 1024 + 17, 5),
      'deep/deeper/ünïcode name.txt': Buffer.from('names survive'),
    };
    for (const [name, data] of Object.entries(files)) writeFileSync(join(up, name), data);
    await rclone(pod, ann, 'copy', up, 'pod:tree');
    const listed = await rclone(pod, ann, 'ls', 'pod:tree');
    for (const name of Object.keys(files)) assert.match(listed, new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const down = join(work, 'down');
    await rclone(pod, ann, 'copy', 'pod:tree', down);
    for (const [name, data] of Object.entries(files)) assert.equal(Buffer.compare(readFileSync(join(down, name)), data), 0, name);
    await rclone(pod, ann, 'check', up, 'pod:tree', '--size-only');
    await rclone(pod, ann, 'mkdir', 'pod:made/by/rclone');
    assert.match(await rclone(pod, ann, 'lsd', 'pod:made/by'), /rclone/);
    await rclone(pod, ann, 'moveto', 'pod:tree/a.txt', 'pod:made/moved.txt');
    assert.equal(await rclone(pod, ann, 'cat', 'pod:made/moved.txt'), 'hello from rclone\n');
    await rclone(pod, ann, 'delete', 'pod:tree/deep');
    const after = await rclone(pod, ann, 'ls', 'pod:tree');
    assert.doesNotMatch(after, /big\.bin/);
    assert.doesNotMatch(after, /a\.txt/);
    await rclone(pod, ann, 'purge', 'pod:made');
    assert.doesNotMatch(await rclone(pod, ann, 'lsd', 'pod:'), /made/);
  });

  it('cadaver puts, gets, lists, makes folders, moves, copies, locks, unlocks and sets and reads properties', async () => {
    const home = join(work, 'home');
    const local = join(work, 'cadaver');
    mkdirSync(home, { recursive: true });
    mkdirSync(local, { recursive: true });
    const data = bytes(200_000, 9);
    writeFileSync(join(local, 'local.bin'), data);
    const out = await cadaver(pod, ann, home, local, [
      'mkcol cad',
      'cd cad',
      'put local.bin',
      'copy local.bin copied.bin',
      'move copied.bin moved.bin',
      'ls',
      'get moved.bin fetched.bin',
      'lock local.bin',
      'showlocks',
      'unlock local.bin',
      'propset local.bin color blue',
      'propget local.bin color',
      'delete local.bin',
      'ls',
    ]);
    assert.doesNotMatch(out, /failed|Could not/i, out);
    assert.match(out, /moved\.bin/);
    assert.match(out, /Locking `local\.bin': succeeded/);
    assert.match(out, /Unlocking `local\.bin': succeeded/);
    assert.match(out, /blue/);
    assert.equal(Buffer.compare(readFileSync(join(local, 'fetched.bin')), data), 0);
    assert.equal((await ann.dav('GET', '/cad/local.bin')).status, 404);
    assert.equal(Buffer.compare((await ann.dav('GET', '/cad/moved.bin')).body, data), 0);
  });
});
