import { connectNode } from '@pod/sdk/node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { sql } from 'kysely';
import { createUserOffline } from '../src/index.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';
import { expectedStoreKind } from './helpers/profile.ts';

describe('gateway', () => {
  let pod: TestPod;
  before(async () => {
    pod = await startTestPod();
  });
  after(() => pod.close());

  it('serves the pod application at / under a strict Content-Security-Policy, never cached', async () => {
    const response = await fetch(pod.url + '/');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self';/);
    assert.match(await response.text(), /<div id="root">/);
  });

  it('answers /healthz with JSON once ready', async () => {
    const response = await fetch(pod.url + '/healthz');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; store: string };
    assert.equal(body.status, 'ok');
    assert.equal(body.store, expectedStoreKind());
  });

  it('counts connections, requests by op and outcome, mailbox appends and delivery latency in /metrics', async () => {
    const alice = await pod.user('metrics-alice');
    const bob = await pod.user('metrics-bob', { messagesFrom: 'anyone' });
    const client = await bob.connect();
    const arrived = new Promise((resolve) => client.on('im.message', resolve));
    await alice.op('im.send', { to: 'metrics-bob', text: 'count me' });
    await arrived;
    await assert.rejects(alice.op('im.send', { to: 'nobody-here', text: 'x' }));
    const text = await (await fetch(pod.url + '/metrics')).text();
    assert.match(text, /^pod_connections [1-9]/m);
    assert.match(text, /^pod_requests_total\{op="im.send",outcome="ok"\} [1-9]/m);
    assert.match(text, /^pod_requests_total\{op="directory.canMessage",outcome="not_found"\} [1-9]/m);
    assert.match(text, /^pod_mailbox_appends_total [1-9]/m);
    assert.match(text, /^pod_delivery_latency_seconds_count [1-9]/m);
  });

  it('answers unknown routes and malformed JSON bodies with coded errors', async () => {
    // Other paths are the pod application's own pages (answered with its index.html).
    const missing = await fetch(pod.url + '/v1/nope');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
    const malformed = await fetch(pod.url + '/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { error: { code: string } }).error.code, 'invalid');
  });

  it('refuses a socket request before hello, and a hello with a bad token', async () => {
    const ws = new WebSocket(pod.url.replace('http', 'ws') + '/v1/ws');
    const frames: Array<{ t: string; ok?: boolean; error?: { code: string } }> = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ t: 'req', id: 'r1', op: 'im.history', body: { with: 'x' } }));
    ws.send(JSON.stringify({ t: 'hello', token: 'pod_not-a-token' }));
    assert.equal(await closed, 4001);
    assert.deepEqual(frames.map((f) => f.error?.code), ['unauthorized', 'unauthorized']);
  });

  it('commits durably: SQLite at synchronous=FULL in WAL mode, PostgreSQL with synchronous_commit on', async () => {
    const { store } = pod.pod;
    assert.equal(store.kind, expectedStoreKind());
    if (store.kind === 'sqlite') {
      const outside = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
      const inside = await store.transaction((tx) => sql<{ synchronous: number }>`pragma synchronous`.execute(tx));
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      assert.equal(outside.rows[0]?.synchronous, 2, 'reader connection');
      assert.equal(inside.rows[0]?.synchronous, 2, 'writer connection');
      assert.equal(mode.rows[0]?.journal_mode, 'wal');
    } else {
      // A commit is acknowledged only once it is on disk; fsync off would make that a lie.
      const inside = await store.transaction((tx) => sql<{ setting: string }>`select current_setting('synchronous_commit') as setting`.execute(tx));
      const fsync = await sql<{ setting: string }>`select current_setting('fsync') as setting`.execute(store.db);
      assert.equal(inside.rows[0]?.setting, 'on', 'synchronous_commit');
      assert.equal(fsync.rows[0]?.setting, 'on', 'fsync');
    }
  });
});

describe('gateway over TLS', () => {
  it('serves HTTPS and WSS itself with --tls-cert and --tls-key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pod-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const pod = await startTestPod({ tls: { cert, key } });
    try {
      assert.match(pod.url, /^https:/);
      const ca = readFileSync(cert);
      const health = await new Promise<number>((resolve, reject) => {
        request(pod.url + '/healthz', { agent: new Agent({ ca }) }, (res) => resolve(res.statusCode ?? 0)).on('error', reject).end();
      });
      assert.equal(health, 200);
      await createUserOffline(pod.config.databaseUrl, { name: 'tls-user', password: 'tls-user-secret-password', admin: false });
      const tlsLogin = await new Promise<string>((resolve, reject) => {
        const req = request(pod.url + '/v1/auth/login', { method: 'POST', agent: new Agent({ ca }), headers: { 'content-type': 'application/json' } }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ name: 'tls-user', password: 'tls-user-secret-password' }));
      });
      const { token } = JSON.parse(tlsLogin) as { token: string };
      class TrustingWebSocket extends WebSocket {
        constructor(url: string) {
          super(url, { ca });
        }
      }
      const client = connectNode({ url: pod.url, token, WebSocket: TrustingWebSocket as never });
      await client.connect();
      assert.equal(client.user, 'tls-user');
      client.close();
    } finally {
      await pod.close();
    }
  });
});

