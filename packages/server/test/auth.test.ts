import { callOp, connectNode, login } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createLogger, createUserOffline, resolveConfig, startPod } from '../src/index.ts';
import { sessionEnded, signIn } from './helpers/devices.ts';
import { refuses } from './helpers/refuses.ts';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';
import { createTestEngines } from './helpers/profile.ts';

describe('accounts and sessions', () => {
  let pod: TestPod;
  let admin: TestUser;
  before(async () => {
    pod = await startTestPod();
    admin = await pod.user('root', { admin: true });
  });
  after(() => pod.close());

  it('signs in with the right password and refuses a wrong one', async () => {
    const amy = await pod.user('amy');
    const answer = await login(pod.url, 'amy', amy.password, 'laptop');
    assert.deepEqual(answer.user, { name: 'amy', displayName: 'amy', admin: false });
    assert.match(answer.token, /^pod_/);
    assert.deepEqual((await callOp(pod.url, answer.token, 'auth.whoami', {})).session, answer.session);
    await refuses(login(pod.url, 'amy', 'not-the-password'), 'unauthorized', /wrong name or password/);
    await refuses(login(pod.url, 'no-such-user', 'whatever-password'), 'unauthorized', /wrong name or password/);
  });

  it('keeps registration closed unless the server opens it', async () => {
    await refuses(callOp(pod.url, undefined, 'auth.register', { name: 'newcomer', password: 'long-enough-password' }), 'forbidden', /registration is closed/);
  });

  it('lists sessions and revokes one: its token is refused and its live socket closes', async () => {
    const bea = await pod.user('bea');
    const phone = await signIn(pod, bea, 'phone');
    const { sessions } = await bea.op('auth.sessions', {});
    assert.deepEqual(sessions.map((s) => [s.device, s.current]), [
      ["bea's test device", true],
      ['phone', false],
    ]);
    const phoneClient = await phone.connect();
    const ended = sessionEnded(phoneClient);
    await bea.op('auth.revoke', { session: phone.session });
    assert.equal(await ended, 'unauthorized');
    await refuses(phone.op('auth.whoami', {}), 'unauthorized');
    assert.deepEqual((await bea.op('auth.sessions', {})).sessions.map((s) => s.device), ["bea's test device"]);
    await refuses(bea.op('auth.revoke', { session: phone.session }), 'not_found');
    await refuses(phone.op('auth.revoke', { session: 'x' }), 'unauthorized');
  });

  it('signs out: the token stops working and the device’s socket closes', async () => {
    const cleo = await pod.user('cleo');
    const tablet = await signIn(pod, cleo, 'tablet');
    const client = await tablet.connect();
    const ended = sessionEnded(client);
    await tablet.op('auth.logout', {});
    assert.equal(await ended, 'unauthorized');
    await refuses(tablet.op('auth.whoami', {}), 'unauthorized');
    assert.equal((await cleo.op('auth.whoami', {})).user.name, 'cleo', 'other sessions stay');
  });

  it('changing the password ends every other session', async () => {
    const dina = await pod.user('dina');
    const [phone, tablet] = await Promise.all([signIn(pod, dina, 'phone'), signIn(pod, dina, 'tablet')]);
    await refuses(dina.op('auth.password', { current: 'wrong-password', next: 'a-new-password' }), 'forbidden', /current password is wrong/);
    const phoneClient = await phone.connect();
    const ended = sessionEnded(phoneClient);
    assert.deepEqual(await dina.op('auth.password', { current: dina.password, next: 'a-new-password' }), { revokedSessions: 2 });
    assert.equal(await ended, 'unauthorized');
    await refuses(tablet.op('auth.whoami', {}), 'unauthorized');
    assert.equal((await dina.op('auth.whoami', {})).user.name, 'dina');
    await refuses(login(pod.url, 'dina', dina.password), 'unauthorized');
    await login(pod.url, 'dina', 'a-new-password');
  });

  it('lets an administrator disable an account, ending its sessions at once, and enable it again', async () => {
    const ezra = await pod.user('ezra');
    const client = await ezra.connect({ reconnect: false });
    const ended = sessionEnded(client);
    await admin.op('user.disable', { name: 'ezra' });
    assert.equal(await ended, 'unauthorized');
    await refuses(ezra.op('auth.whoami', {}), 'unauthorized');
    await refuses(login(pod.url, 'ezra', ezra.password), 'forbidden', /disabled/);
    await refuses(login(pod.url, 'ezra', 'a-wrong-password'), 'unauthorized', /wrong name or password/);
    assert.equal((await admin.op('user.list', {})).users.find((u) => u.name === 'ezra')?.disabled, true);
    await refuses(admin.op('user.disable', { name: 'root' }), 'conflict', /your own account/);

    await admin.op('user.enable', { name: 'ezra' });
    const again = await login(pod.url, 'ezra', ezra.password);
    assert.equal((await callOp(pod.url, again.token, 'auth.whoami', {})).user.name, 'ezra');
  });

  it('lets an administrator reset a password, ending the account’s sessions', async () => {
    const fay = await pod.user('fay');
    await admin.op('user.resetPassword', { name: 'fay', password: 'set-by-the-admin' });
    await refuses(fay.op('auth.whoami', {}), 'unauthorized');
    await refuses(login(pod.url, 'fay', fay.password), 'unauthorized');
    await login(pod.url, 'fay', 'set-by-the-admin');
    await refuses(admin.op('user.resetPassword', { name: 'nobody-at-all', password: 'whatever-password' }), 'not_found');
  });

  it('keeps user administration to administrators', async () => {
    const gus = await pod.user('gus');
    await refuses(gus.op('user.list', {}), 'forbidden', /administrator/);
    await refuses(gus.op('user.disable', { name: 'amy' }), 'forbidden', /administrator/);
    const { users } = await admin.op('user.list', {});
    assert.deepEqual(users.find((u) => u.name === 'root'), { name: 'root', displayName: 'root', admin: true, disabled: false, createdAt: users.find((u) => u.name === 'root')!.createdAt });
  });

  it('slows down repeated failed sign-ins, but two mistakes then the right password succeed', async () => {
    const hal = await pod.user('hal');
    await refuses(login(pod.url, 'hal', 'wrong-once'), 'unauthorized');
    await refuses(login(pod.url, 'hal', 'wrong-twice'), 'unauthorized');
    await login(pod.url, 'hal', hal.password);

    const ida = await pod.user('ida');
    for (let i = 0; i < 5; i++) await refuses(login(pod.url, 'ida', `wrong-${i}`), 'unauthorized');
    const limited = await refuses(login(pod.url, 'ida', ida.password), 'rate_limited', /try again in \d+ s/);
    const retryAfterSeconds = limited.data?.retryAfterSeconds;
    assert.ok(typeof retryAfterSeconds === 'number' && retryAfterSeconds >= 1, `retryAfterSeconds ${String(retryAfterSeconds)}`);
  });

  it('stores passwords as argon2id with m=19456, t=2, p=1', async () => {
    const jo = await pod.user('jo');
    await jo.op('auth.password', { current: jo.password, next: 'changed-password' });
    const rows = await pod.pod.store.db.selectFrom('users').select(['name', 'password_hash']).execute();
    assert.ok(rows.some((row) => row.name === 'jo'));
    for (const row of rows) assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, row.name);
  });

  it('refuses a WebSocket from a foreign Origin and accepts one from the server’s own', async () => {
    const kit = await pod.user('kit');
    const open = (origin: string) =>
      new Promise<number | string>((resolve, reject) => {
        const ws = new WebSocket(`${pod.url.replace(/^http/, 'ws')}/v1/ws`, { headers: { origin } });
        ws.on('unexpected-response', (request, response) => {
          request.destroy();
          resolve(response.statusCode!);
        });
        ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', token: kit.token })));
        ws.on('message', (data) => {
          resolve((JSON.parse(String(data)) as { t: string }).t);
          ws.close();
        });
        ws.on('error', reject);
      });
    assert.equal(await open('https://evil.example'), 403);
    assert.equal(await open(pod.url), 'welcome');
  });
});

describe('open registration', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod({ openRegistration: true });
  });
  after(() => pod.close());

  it('creates an account and signs it in, refusing a taken name or a short password', async () => {
    const answer = await callOp(pod.url, undefined, 'auth.register', { name: 'Newcomer', password: 'long-enough-password', device: 'laptop' });
    assert.deepEqual(answer.user, { name: 'newcomer', displayName: 'newcomer', admin: false });
    assert.equal((await callOp(pod.url, answer.token, 'auth.whoami', {})).user.name, 'newcomer');
    await login(pod.url, 'newcomer', 'long-enough-password');
    await refuses(callOp(pod.url, undefined, 'auth.register', { name: 'newcomer', password: 'another-password' }), 'conflict', /taken/);
    await refuses(callOp(pod.url, undefined, 'auth.register', { name: 'shorty', password: 'short' }), 'invalid', /at least 8 characters/);
  });
});

describe('the server log', () => {
  it('never contains a password or a session token', async () => {
    const lines: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'pod-log-test-'));
    const engines = await createTestEngines(dataDir);
    const config = resolveConfig({ data: dataDir, databaseUrl: engines.databaseUrl, natsUrl: engines.natsUrl, natsPrefix: engines.natsPrefix, port: 0, logLevel: 'trace', openRegistration: true }, {});
    const pod = await startPod(config, createLogger('trace', { write: (line: string) => void lines.push(line) }));
    const secrets: string[] = [];
    try {
      const adminPassword = 'admin-password-in-clear';
      await createUserOffline(config.databaseUrl, { name: 'boss', password: adminPassword, admin: true });
      const boss = await login(pod.url, 'boss', adminPassword);
      const registered = await callOp(pod.url, undefined, 'auth.register', { name: 'logged', password: 'registered-password' });
      secrets.push(adminPassword, boss.token, registered.token, 'registered-password');

      await refuses(login(pod.url, 'boss', 'a-mistyped-password'), 'unauthorized');
      await refuses(callOp(pod.url, undefined, 'auth.login', { name: 'Not A Name!', password: 'malformed-request-password' }), 'invalid');
      await refuses(callOp(pod.url, `${boss.token}x`, 'auth.whoami', {}), 'unauthorized');
      secrets.push('a-mistyped-password', 'malformed-request-password');

      const client = connectNode({ url: pod.url, token: registered.token, reconnect: false });
      await client.connect();
      await client.request('auth.whoami', {});
      await client.request('auth.password', { current: 'registered-password', next: 'the-next-password' });
      client.close();
      await callOp(pod.url, boss.token, 'user.resetPassword', { name: 'logged', password: 'reset-by-the-boss' });
      const mailbox = await fetch(`${pod.url}/v1/mailbox?after=0`, { headers: { authorization: `Bearer ${boss.token}` } });
      assert.equal(mailbox.status, 200);
      secrets.push('the-next-password', 'reset-by-the-boss');
    } finally {
      await pod.close();
      await engines.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const log = lines.join('');
    assert.match(log, /"msg":"http"/, 'the log was captured');
    for (const secret of secrets) assert.equal(log.includes(secret), false, `the log contains ${secret.slice(0, 12)}…`);
  });
});

describe('the sign-in throttle behind a proxy', () => {
  let proxied: TestPod;
  before(async () => {
    proxied = await startTestPod({ trustProxy: ['loopback'] });
  });
  after(() => proxied.close());

  const loginFrom = (forwardedFor: string, name: string, password: string) =>
    fetch(`${proxied.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ name, password }),
    });

  it('counts failures per client named by a trusted proxy, not for everyone behind it', async () => {
    const kim = await proxied.user('kim');
    // 30 failures from one client address, 5 per account name, so only the address limit trips.
    for (let i = 0; i < 30; i++) assert.equal((await loginFrom('203.0.113.7', `nobody${Math.floor(i / 5)}`, 'wrong-password')).status, 401);
    const blocked = await loginFrom('203.0.113.7', 'kim', kim.password);
    assert.equal(blocked.status, 429);
    assert.match(((await blocked.json()) as { error: { message: string } }).error.message, /your address/);
    assert.equal((await loginFrom('198.51.100.20', 'kim', kim.password)).status, 200, 'another client behind the same proxy signs in');
  });
});
