import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { callOp } from '@pod/sdk/node';
import { startTestPod, type TestPod } from '../../server/test/helpers/pod.ts';
import { readConfig } from '../src/config.ts';
import { cliUser, stopAll, pod, removeAll, tempDir, type CliUser } from './helpers/cli.ts';

describe('accounts through the pod command', () => {
  const cleanup: string[] = [];
  let test: TestPod;
  let admin: CliUser;
  before(async () => {
    test = await startTestPod();
    admin = await cliUser(test, 'root', cleanup, { admin: true });
  });
  after(async () => {
    await stopAll();
    await test.close();
    await removeAll(cleanup);
  });

  it('user create writes to the pod\'s store; login keeps the session in $POD_CONFIG_DIR/config.json (0600); whoami shows it; logout ends it on the server', async () => {
    const alice = await cliUser(test, 'alice', cleanup, { byCommand: true });
    const file = `${alice.configDir}/config.json`;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const config = readConfig(alice.configDir);
    assert.equal(config.server, test.url);
    assert.equal(config.user, 'alice');
    assert.ok(config.token);

    assert.equal((await alice.ok(['whoami'])).trim(), `alice on ${test.url}`);
    const who = await alice.json<{ server: string; user: { name: string; admin: boolean }; session: string }>(['whoami']);
    assert.deepEqual([who.server, who.user.name, who.user.admin, typeof who.session], [test.url, 'alice', false, 'string']);

    assert.match(await alice.ok(['logout']), /signed out alice from/);
    await assert.rejects(callOp(test.url, config.token!, 'auth.whoami', {}), { code: 'unauthorized' });
    assert.equal(readConfig(alice.configDir).token, undefined);
    const after = await alice.run(['whoami']);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /^error unauthorized: not signed in/);
    assert.match(await alice.ok(['logout']), /not signed in/);
  });

  it('a wrong password exits 1 with "error unauthorized:" on stderr and keeps no token', async () => {
    await cliUser(test, 'bob', cleanup);
    const configDir = tempDir('pod-cfg-', cleanup);
    const result = await pod(['login', '--server', test.url, '--user', 'bob', '--password-stdin'], { configDir, input: 'not-his-password\n' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error unauthorized: /);
    assert.equal(result.stdout, '');
    assert.deepEqual(readConfig(configDir), {});
  });

  it('an unreachable server is "error unavailable"', async () => {
    const configDir = tempDir('pod-cfg-', cleanup);
    const result = await pod(['login', '--server', 'http://127.0.0.1:1', '--user', 'bob', '--password-stdin'], { configDir, input: 'whatever-password\n' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error unavailable: /);
  });

  it('administrators list, disable and enable accounts; a disabled user\'s session ends at once', async () => {
    const carol = await cliUser(test, 'carol', cleanup);
    const { users } = await admin.json<{ users: Array<{ name: string; admin: boolean; disabled: boolean }> }>(['user', 'list']);
    assert.deepEqual(users.find((u) => u.name === 'carol'), { ...users.find((u) => u.name === 'carol')!, admin: false, disabled: false });
    assert.ok(users.some((u) => u.name === 'root' && u.admin));
    assert.match(await admin.ok(['user', 'list']), /^carol\s+carol\s+user\s+active/m);

    assert.deepEqual(await admin.json(['user', 'disable', 'carol']), { name: 'carol', disabled: true });
    const ended = await carol.run(['whoami']);
    assert.equal(ended.code, 1);
    assert.match(ended.stderr, /^error unauthorized: /);
    const refused = await pod(['login', '--server', test.url, '--user', 'carol', '--password-stdin'], { configDir: carol.configDir, input: `${carol.password}\n` });
    assert.equal(refused.code, 1);
    assert.match((await admin.ok(['user', 'list'])), /^carol\s+carol\s+user\s+disabled/m);

    assert.match(await admin.ok(['user', 'enable', 'carol']), /enabled carol/);
    await carol.ok(['login', '--server', test.url, '--user', 'carol', '--password-stdin'], `${carol.password}\n`);
    assert.match(await carol.ok(['whoami']), /^carol on /);
  });

  it('only administrators may administer: others get "error forbidden"', async () => {
    const dave = await cliUser(test, 'dave', cleanup);
    const result = await dave.run(['user', 'list']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error forbidden: /);
  });

  it('reset-password sets a password read from stdin; the old one stops working', async () => {
    const erin = await cliUser(test, 'erin', cleanup);
    assert.match(await admin.ok(['user', 'reset-password', 'erin', '--password-stdin'], 'a brand new password\n'), /set a new password for erin/);
    const old = await pod(['login', '--server', test.url, '--user', 'erin', '--password-stdin'], { configDir: erin.configDir, input: `${erin.password}\n` });
    assert.equal(old.code, 1);
    await erin.ok(['login', '--server', test.url, '--user', 'erin', '--password-stdin'], 'a brand new password\n');
  });
});
