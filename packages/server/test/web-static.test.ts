import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerWebApp } from '../src/gateway/web-static.ts';

describe('serving the built pod application', () => {
  let root: string;
  let app: FastifyInstance;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'pod-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(root, 'sw.js'), '// worker');
    writeFileSync(join(root, 'welcome.html'), '<!doctype html><h1>Welcome</h1>');
    writeFileSync(join(root, '..', 'secret.txt'), 'outside');
    app = Fastify() as unknown as FastifyInstance;
    assert.equal(registerWebApp(app, root), true);
  });
  after(async () => {
    await app.close();
    rmSync(join(root, '..', 'secret.txt'), { force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('caches hashed assets for a year and re-checks index.html and the service worker', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(asset.headers['content-type']), /text\/javascript/);
    assert.equal((await app.inject({ url: '/' })).headers['cache-control'], 'no-cache');
    assert.equal((await app.inject({ url: '/sw.js' })).headers['cache-control'], 'no-cache');
  });

  it('answers page paths with index.html, but a missing asset or API route with a 404', async () => {
    const page = await app.inject({ url: '/messages/alice', headers: { host: 'pod.example:8080' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="root"/);
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self' ws:\/\/pod\.example:8080 wss:\/\/pod\.example:8080/);
    assert.equal((await app.inject({ url: '/assets/index-old999.js' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/v1/nothing' })).statusCode, 404);
  });

  it('serves the landing page at /welcome under the same CSP, never cached', async () => {
    const page = await app.inject({ url: '/welcome', headers: { host: 'pod.example:8080' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Welcome<\/h1>/);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'; style-src 'self'/);
  });

  it('never serves a file outside its directory', async () => {
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const response = await app.inject({ url });
      assert.ok(!response.body.includes('outside'), url);
    }
  });

  it('declines when nothing is built, so the gateway keeps its status page', () => {
    assert.equal(registerWebApp(Fastify() as unknown as FastifyInstance, join(root, 'missing')), false);
  });
});
