import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';
import { refuses } from './helpers/refuses.ts';

/** What a browser at `origin` would send: the pod application's cookie session over HTTP and WebSocket. */
async function browserSignIn(url: string, user: TestUser, origin = url) {
  const response = await fetch(`${url}/v1/web/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ name: user.name, password: user.password }),
  });
  const setCookie = response.headers.get('set-cookie') ?? '';
  const body = (await response.json()) as { csrf?: string; error?: { code: string } };
  return { status: response.status, setCookie, cookie: setCookie.split(';')[0]!, csrf: body.csrf ?? '', body };
}

/** Resolves with the HTTP status the upgrade was refused with, or 101 when a welcome came. */
function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`, { headers });
    ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello' })));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { t: string };
      ws.close();
      if (frame.t === 'welcome') resolve(101);
      else reject(new Error(`expected a welcome, got ${String(data)}`));
    });
    ws.on('error', () => {});
  });
}

describe('the pod application session (cookie)', () => {
  let pod: TestPod;
  let ada: TestUser;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('tells a browser whether any account exists before anyone signs in', async () => {
    const first = (await (await fetch(`${pod.url}/v1/web/session`)).json()) as { signedIn: boolean; accounts: boolean };
    assert.deepEqual(first, { signedIn: false, accounts: false });
    ada = await pod.user('ada');
    const later = (await (await fetch(`${pod.url}/v1/web/session`)).json()) as { signedIn: boolean; accounts: boolean };
    assert.deepEqual(later, { signedIn: false, accounts: true });
  });

  it('keeps the token in an httpOnly SameSite=Strict cookie, and refuses sign-in from another site', async () => {
    const session = await browserSignIn(pod.url, ada);
    assert.equal(session.status, 200);
    assert.match(session.setCookie, /^pod_session=pod_[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    assert.ok(!JSON.stringify(session.body).includes(session.cookie.split('=')[1]!), 'the answer does not repeat the token');
    const foreign = await browserSignIn(pod.url, ada, 'https://evil.example');
    assert.equal(foreign.status, 403);
    assert.equal(foreign.setCookie, '');
  });

  it('needs the CSRF header for state changes made with the cookie, not for reads or bearer tokens', async () => {
    const { cookie, csrf } = await browserSignIn(pod.url, ada);
    const op = (name: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${pod.url}/v1/op/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify(body) });
    const forged = await op('profile.update', { statusText: 'forged' });
    assert.equal(forged.status, 403);
    assert.match(((await forged.json()) as { error: { message: string } }).error.message, /X-CSRF-Token/);
    assert.equal((await op('profile.update', { statusText: 'wrong' }, { 'x-csrf-token': csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).status, 403);
    assert.equal((await op('profile.update', { statusText: 'mine' }, { 'x-csrf-token': csrf })).status, 200);
    assert.equal(((await (await op('profile.get', {})).json()) as { statusText: string }).statusText, 'mine');
    assert.equal((await ada.op('profile.get', {})).statusText, 'mine', 'bearer tokens work as before');
  });

  it('uploads chunks and downloads files with the cookie; a chunk PUT without the CSRF header is refused', async () => {
    const { cookie, csrf } = await browserSignIn(pod.url, ada);
    const bytes = Buffer.from('bytes the pod application uploads\n');
    const hash = createHash('sha256').update(bytes).digest('hex');
    const op = async (name: string, body: unknown) => {
      const response = await fetch(`${pod.url}/v1/op/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf }, body: JSON.stringify(body) });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as { uploadId: string };
    };
    const { uploadId } = await op('files.upload.begin', { path: '/web.txt', size: bytes.length, hash, chunkCount: 1, chunks: [{ hash, size: bytes.length }] });
    const put = (headers: Record<string, string>) => fetch(`${pod.url}/v1/files/uploads/${uploadId}/chunks/${hash}`, { method: 'PUT', headers: { cookie, ...headers }, body: bytes });
    const forged = await put({});
    assert.equal(forged.status, 403);
    assert.match(((await forged.json()) as { error: { message: string } }).error.message, /X-CSRF-Token/);
    const stored = await put({ 'x-csrf-token': csrf });
    assert.equal(stored.status, 200);
    await op('files.upload.commit', { uploadId, proofs: [{ hash, proof: ((await stored.json()) as { proof: string }).proof }] });
    const download = await fetch(`${pod.url}/v1/files/content?path=/web.txt`, { headers: { cookie } });
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);
    assert.equal((await fetch(`${pod.url}/v1/files/content?path=/web.txt`)).status, 401, 'and nothing without it');
  });

  it('lets the cookie open a socket only from an allowed Origin', async () => {
    const { cookie } = await browserSignIn(pod.url, ada);
    const host = new URL(pod.url).host;
    assert.equal(await upgrade(pod.url, { cookie, origin: `http://${host}` }), 101);
    assert.equal(await upgrade(pod.url, { cookie, origin: 'https://evil.example' }), 403);
    assert.equal(await upgrade(pod.url, { cookie }), 403, 'a cookie without an Origin is no browser');
    assert.equal(await upgrade(pod.url, { authorization: `Bearer ${ada.token}` }), 101, 'the SDK and CLI still use bearer tokens');
  });

  it('signs out: the session ends on the server and the cookie is cleared', async () => {
    const { cookie, csrf } = await browserSignIn(pod.url, ada);
    const withoutCsrf = await fetch(`${pod.url}/v1/web/session`, { method: 'DELETE', headers: { cookie } });
    assert.equal(withoutCsrf.status, 403);
    const out = await fetch(`${pod.url}/v1/web/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /^pod_session=; .*Max-Age=0/);
    const after = (await (await fetch(`${pod.url}/v1/web/session`, { headers: { cookie } })).json()) as { signedIn: boolean };
    assert.equal(after.signedIn, false);
  });

  it('stores a valid skin with my settings and refuses an invalid one', async () => {
    const night = { name: 'Night', version: 1, colors: { background: '#000', surface: '#111', text: '#eee', muted: '#999', accent: '#7cb7ff', accentText: '#000', border: '#333', danger: '#f66' }, fonts: { body: 'system-ui, sans-serif', mono: 'monospace' }, radius: 6, density: 'compact', wallpaper: { kind: 'none' } } as const;
    assert.equal((await ada.op('settings.update', { skin: night })).skin?.name, 'Night');
    assert.deepEqual((await ada.op('settings.get', {})).skin, night);
    assert.equal((await ada.op('settings.get', {})).messagesFrom, 'buddies', 'other settings stay');
    await refuses(ada.op('settings.update', { skin: { ...night, colors: { ...night.colors, text: 'url(x)' } } }), 'invalid', /colour/);
    assert.equal((await ada.op('settings.update', { skin: null })).skin, null);
  });
});
