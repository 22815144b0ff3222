import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pod, podOk, PodProcess, removeAll, repoRoot, tempDir } from './helpers/cli.ts';

const cleanup: string[] = [];
after(() => removeAll(cleanup));


const listening = (line: string) => /is listening on https?:\/\//.test(line);
const urlOf = (line: string) => /(https?:\/\/\S+)/.exec(line)![1]!;

describe('pod --help', () => {
  it('lists every command and exits 0, also through the bin link npm makes at the root', async () => {
    const help = await podOk(['--help']);
    for (const command of ['serve', 'user', 'login', 'logout', 'whoami', 'profile', 'search', 'buddies', 'presence', 'send', 'messages', 'listen']) {
      assert.match(help, new RegExp(`^  ${command}\\b`, 'm'), `--help lists ${command}`);
    }
    const link = join(repoRoot, 'node_modules', '.bin', 'pod');
    assert.ok(existsSync(link), 'npm ci links node_modules/.bin/pod');
    const viaLink = await pod(['--help'], { executable: link });
    assert.equal(viaLink.code, 0, viaLink.stderr);
    assert.match(viaLink.stdout, /Usage: pod /);
  });

  it('documents the settings of pod serve and the options of a subcommand', async () => {
    const serve = await podOk(['serve', '--help']);
    for (const flag of ['--data', '--host', '--port', '--open-registration', '--tls-cert', '--tls-key', '--log-level', 'POD_']) assert.ok(serve.includes(flag), flag);
    const create = await podOk(['user', 'create', '--help']);
    assert.ok(create.includes('--password-stdin') && create.includes('--admin') && create.includes('--json'));
  });

  it('answers a usage error with exit 2 and "error invalid:" on stderr', async () => {
    const result = await pod(['send', 'bob']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error invalid: missing required argument 'text'/);
  });
});

describe('pod serve', () => {
  it('prints its URL and how to create the first account, answers /healthz, and exits 0 on SIGTERM', async () => {
    const data = tempDir('pod-serve-', cleanup);
    const server = new PodProcess(['serve', '--port', '0', '--data', data, '--log-level', 'warn']);
    const url = urlOf(await server.line('stdout', listening));
    assert.match(server.stdout, /pod user create NAME --admin --password-stdin/);
    assert.equal(server.stderr.includes('warning'), false, 'no TLS warning on loopback');
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const result = await server.stop('SIGTERM');
    assert.deepEqual([result.code, result.signal], [0, null], result.stderr);
    assert.ok(existsSync(join(data, 'pod.db')), 'the data landed in --data');
  });

  it('with --json prints one JSON line saying where it listens, and exits 0 on SIGINT', async () => {
    const data = tempDir('pod-serve-', cleanup);
    const server = new PodProcess(['serve', '--port', '0', '--data', data, '--log-level', 'silent', '--json']);
    const line = await server.line('stdout', (l) => l.startsWith('{'));
    const info = JSON.parse(line) as { url: string; dataDir: string; tls: boolean; warnings: string[] };
    assert.match(info.url, /^http:\/\/localhost:\d+$/);
    assert.equal(info.dataDir, data);
    assert.equal(info.tls, false);
    assert.deepEqual(info.warnings, []);
    assert.equal((await fetch(`${info.url}/healthz`)).status, 200);
    const result = await server.stop('SIGINT');
    assert.equal(result.code, 0, result.stderr);
  });

  it('warns, saying how to add TLS, when it listens beyond loopback without TLS', async () => {
    const data = tempDir('pod-serve-', cleanup);
    const server = new PodProcess(['serve', '--host', '0.0.0.0', '--port', '0', '--data', data, '--log-level', 'warn']);
    const warning = await server.line('stderr', (l) => l.startsWith('warning:'));
    assert.match(warning, /without TLS/);
    assert.match(warning, /--tls-cert FILE --tls-key FILE/);
    await server.line('stdout', listening);
    assert.equal((await server.stop()).code, 0);
  });

  it('fails with "error unavailable" when its port is taken', async () => {
    const data = tempDir('pod-serve-', cleanup);
    const first = new PodProcess(['serve', '--port', '0', '--data', data, '--log-level', 'silent']);
    const port = new URL(urlOf(await first.line('stdout', listening))).port;
    const second = await pod(['serve', '--port', port, '--data', tempDir('pod-serve-', cleanup), '--log-level', 'silent']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^error unavailable: cannot listen on localhost:\d+: the address is in use/m);
    assert.equal((await first.stop()).code, 0);
  });

  it('user create works on a data dir with no server running; the account then signs in', async () => {
    const data = tempDir('pod-offline-', cleanup);
    const created = JSON.parse(await podOk(['user', 'create', 'root', '--admin', '--password-stdin', '--data', data, '--json'], { input: 'correct horse battery\n' }));
    assert.deepEqual(created, { name: 'root', admin: true });
    const again = await pod(['user', 'create', 'root', '--password-stdin', '--data', data], { input: 'another password\n' });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error conflict: /);
    const short = await pod(['user', 'create', 'shorty', '--password-stdin', '--data', data], { input: 'short\n' });
    assert.match(short.stderr, /^error invalid: invalid password: a password has at least 8 characters/);

    const server = new PodProcess(['serve', '--port', '0', '--data', data, '--log-level', 'silent']);
    const url = urlOf(await server.line('stdout', listening));
    const configDir = tempDir('pod-cfg-', cleanup);
    // Only the one trailing newline is stripped: the password has a trailing space.
    await podOk(['user', 'create', 'spacey', '--password-stdin', '--data', data], { input: 'ends with space \n' });
    assert.match(await podOk(['login', '--server', url, '--user', 'root', '--password-stdin'], { configDir, input: 'correct horse battery\n' }), /signed in as root \(administrator\)/);
    const wrong = await pod(['login', '--server', url, '--user', 'spacey', '--password-stdin'], { configDir, input: 'ends with space\n' });
    assert.equal(wrong.code, 1);
    await podOk(['login', '--server', url, '--user', 'spacey', '--password-stdin'], { configDir, input: 'ends with space \n' });
    assert.equal((await server.stop()).code, 0);
  });
});
