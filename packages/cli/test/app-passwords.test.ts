import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPod, type TestPod } from '../../server/test/helpers/pod.ts';
import { cliUser, removeAll, stopAll, type CliUser } from './helpers/cli.ts';

const davStatus = async (test: TestPod, name: string, password: string) =>
  (await fetch(`${test.url}/dav/`, { method: 'PROPFIND', headers: { depth: '0', authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}` } })).status;

describe('app passwords through the pod command', () => {
  const cleanup: string[] = [];
  let test: TestPod;
  let carol: CliUser;
  before(async () => {
    test = await startTestPod();
    carol = await cliUser(test, 'carol', cleanup);
  });
  after(async () => {
    await stopAll();
    await test.close();
    await removeAll(cleanup);
  });

  it('create shows the secret once, list never does, revoke stops WebDAV access at once', async () => {
    const text = await carol.ok(['app-password', 'create', 'laptop rclone']);
    const secret = text.split('\n')[0]!;
    assert.match(secret, /^pod-/);
    assert.match(text, new RegExp(`${test.url}/dav/`));
    assert.equal(await davStatus(test, 'carol', secret), 207);
    const created = await carol.json<{ id: string; label: string; password: string }>(['app-password', 'create', 'phone']);
    assert.equal(created.label, 'phone');
    const listed = await carol.ok(['app-password', 'list']);
    assert.match(listed, /laptop rclone/);
    assert.match(listed, /phone/);
    assert.doesNotMatch(listed, new RegExp(secret));
    const { appPasswords } = await carol.json<{ appPasswords: Array<{ id: string; label: string; lastUsedAt: string | null }> }>(['app-password', 'list']);
    const laptop = appPasswords.find((p) => p.label === 'laptop rclone')!;
    assert.ok(laptop.lastUsedAt, 'the list tells when it was last used');
    assert.match(await carol.ok(['app-password', 'revoke', laptop.id]), /revoked/);
    assert.equal(await davStatus(test, 'carol', secret), 401);
    assert.equal(await davStatus(test, 'carol', created.password), 207);
    const missing = await carol.run(['app-password', 'revoke', laptop.id]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error not_found: /);
  });
});
