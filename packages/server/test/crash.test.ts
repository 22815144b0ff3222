import { callOp, login, type ImMessage } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createUserOffline } from '../src/index.ts';
import { createTestEngines, type TestEngines } from './helpers/profile.ts';

const podBin = fileURLToPath(new URL('../../cli/bin/pod.js', import.meta.url));

/** A real `pod serve` process; resolves with its URL once it prints that it listens. */
function serve(dataDir: string, engines: TestEngines): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [podBin, 'serve', '--data', dataDir, '--host', '127.0.0.1', '--port', '0', '--json'], {
    env: { ...process.env, POD_LOG_LEVEL: 'warn', ...engines.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`pod serve exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /"url":"([^"]+)"/.exec(line);
      if (match) resolve({ child, url: match[1]! });
    });
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('a server killed without warning', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pod-crash-'));
  const children: ChildProcess[] = [];
  const engines = createTestEngines(dataDir);
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await (await engines).drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every message it answered, once, with gap-free seqs, after kill -9 under load', async () => {
    const { databaseUrl } = await engines;
    for (const name of ['alice', 'bob']) await createUserOffline(databaseUrl, { name, password: `${name}-password`, admin: false });
    const first = await serve(dataDir, await engines);
    children.push(first.child);
    const alice = await login(first.url, 'alice', 'alice-password');
    const bob = await login(first.url, 'bob', 'bob-password');
    await callOp(first.url, bob.token, 'settings.update', { messagesFrom: 'anyone' });

    const answered: string[] = [];
    let sent = 0;
    let killed: Promise<void> | undefined;
    const sender = async () => {
      while (!killed) {
        const requestId = `crash-${sent++}`;
        try {
          const message = await callOp(first.url, alice.token, 'im.send', { to: 'bob', text: requestId }, { requestId });
          answered.push(message.id);
          if (answered.length === 300) killed = killHard(first.child);
        } catch {
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));
    await killed;
    assert.ok(answered.length >= 300);

    const second = await serve(dataDir, await engines);
    children.push(second.child);
    const stored: ImMessage[] = [];
    for (let before: number | undefined; ; ) {
      const page = await callOp(second.url, bob.token, 'im.history', before === undefined ? { with: 'alice', limit: 200 } : { with: 'alice', limit: 200, before });
      stored.unshift(...page.messages);
      if (!page.more) break;
      before = page.messages[0]!.order;
    }
    const storedIds = new Set(stored.map((m) => m.id));
    assert.equal(storedIds.size, stored.length, 'no message stored twice');
    assert.equal(new Set(stored.map((m) => m.text)).size, stored.length, 'no request stored twice');
    assert.deepEqual(answered.filter((id) => !storedIds.has(id)), [], 'every answered message survived');

    const response = await fetch(`${second.url}/v1/mailbox?after=0&limit=1000`, { headers: { authorization: `Bearer ${bob.token}` } });
    const { events } = (await response.json()) as { events: Array<{ seq: number; type: string; body: { id: string } }> };
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), "bob's mailbox has no gap");
    assert.deepEqual(new Set(events.filter((e) => e.type === 'im.message').map((e) => e.body.id)), storedIds, 'one mailbox event per stored message');
    await killHard(second.child);
  });
});
