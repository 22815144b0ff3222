import { build } from 'esbuild';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startTestPod, type TestPod } from '../../server/test/helpers/pod.ts';

const CHROMIUM = '/usr/bin/chromium';

/** The SDK bundled for browsers, with no Node built-ins and no `ws`. */
async function browserBundle(): Promise<string> {
  const result = await build({
    entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    globalName: 'pod',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('the SDK in a browser', () => {
  let pod: TestPod;
  let page: Server;
  let browser: Browser | undefined;
  let pageUrl: string;
  before(async () => {
    const bundle = await browserBundle();
    // The page comes from another origin than the pod, so the pod is told to allow it, as an
    // administrator would with --origin for a web client hosted elsewhere.
    page = createServer((request, response) => {
      if (request.url === '/sdk.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sdk</title>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(page.address() as { port: number }).port}`;
    pod = await startTestPod({ origins: [pageUrl] });
  });
  after(async () => {
    await browser?.close();
    page.close();
    await pod.close();
  });

  it('bundles for browsers without Node built-ins', async () => {
    const bundle = await browserBundle();
    assert.doesNotMatch(bundle, /require\(["'](ws|node:[a-z]+)["']\)/);
  });

  it('connects, sends and receives in Chromium', async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: npm test installs it (scripts/test.js)`);
    const alice = await pod.user('alice');
    const bob = await pod.user('bob', { messagesFrom: 'anyone' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const tab = await browser.newPage();
    await tab.goto(pageUrl + '/');
    const bobClient = await bob.connect();
    const arrival = new Promise((resolve) => bobClient.on('im.message', resolve));
    const result = await tab.evaluate(
      async ({ sdkUrl, server, token }) => {
        const sdk = await import(sdkUrl);
        const client = new sdk.PodClient({ url: server, token });
        await client.connect();
        const sent = await client.request('im.send', { to: 'bob', text: 'from a browser' });
        client.close();
        return { user: client.user, text: sent.text };
      },
      { sdkUrl: pageUrl + '/sdk.js', server: pod.url, token: alice.token },
    );
    assert.deepEqual(result, { user: 'alice', text: 'from a browser' });
    await arrival;
  });
});
