import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callOp, type ImMessage } from '@pod/sdk/node';
import { startTestPod, type TestPod } from '../../server/test/helpers/pod.ts';
import { readConfig } from '../src/config.ts';
import { cliUser, pod, removeAll, tempDir, type CliUser, type RunResult } from './helpers/cli.ts';

interface Sharer extends CliUser {
  files(args: string[], input?: string): Promise<RunResult>;
  filesOk(args: string[], input?: string): Promise<string>;
  one<T>(args: string[], input?: string): Promise<T>;
}

async function sharer(test: TestPod, name: string, cleanup: string[]): Promise<Sharer> {
  const user = await cliUser(test, name, cleanup);
  const cache = tempDir(`pod-cache-${name}-`, cleanup);
  const files = (args: string[], input?: string) => pod(args, { configDir: user.configDir, env: { POD_CACHE_DIR: cache }, ...(input === undefined ? {} : { input }) });
  const filesOk = async (args: string[], input?: string) => {
    const result = await files(args, input);
    if (result.code !== 0) throw new Error(`pod ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    return result.stdout;
  };
  return { ...user, files, filesOk, one: async <T>(args: string[], input?: string) => JSON.parse(await filesOk([...args, '--json'], input)) as T };
}

const acceptFromAnyone = (user: CliUser) => callOp(readConfig(user.configDir).server!, readConfig(user.configDir).token!, 'settings.update', { messagesFrom: 'anyone' });

describe('sharing files through the pod command', () => {
  const cleanup: string[] = [];
  let test: TestPod;
  let ann: Sharer;
  let ben: Sharer;
  let work: string;
  before(async () => {
    test = await startTestPod();
    [ann, ben] = await Promise.all([sharer(test, 'ann', cleanup), sharer(test, 'ben', cleanup)]);
    work = tempDir('pod-share-', cleanup);
    writeFileSync(join(work, 'plan.txt'), 'the plan\n');
    await ann.filesOk(['upload', join(work, 'plan.txt'), '/docs']);
  });
  after(async () => {
    await test.close();
    await removeAll(cleanup);
  });

  it('share with a user, who lists, reads and downloads it; unshare takes it away', async () => {
    assert.equal(await ann.filesOk(['share', '/docs']), '/docs is not shared\n');
    assert.equal(await ann.filesOk(['share', 'docs', '--with', 'ben']), 'shared /docs with ben (read)\n');
    assert.match(await ann.filesOk(['share', '/docs']), /^ben\s+read\s+since \d{4}-\d\d-\d\d \d\d:\d\d\n$/);

    const shared = await ben.one<{ items: { owner: string; path: string; access: string }[] }>(['shared']);
    assert.deepEqual(shared.items.map((i) => [i.owner, i.path, i.access]), [['ann', '~ann/docs', 'read']]);
    assert.match(await ben.filesOk(['shared']), /^-\s+\S+ \S+\s+read\s+direct\s+~ann\/docs\/\n$/);
    assert.match(await ben.filesOk(['ls', '~ann/docs']), /9 B .* plan\.txt\n$/);
    await ben.filesOk(['download', '~ann/docs/plan.txt', join(work, 'ben-plan.txt')]);
    const denied = await ben.files(['rm', '~ann/docs/plan.txt']);
    assert.deepEqual([denied.code, denied.stderr.split(':')[0]], [1, 'error forbidden']);
    const found = await ben.one<{ results: { path: string }[] }>(['find', 'plan', '--scope', 'shared']);
    assert.deepEqual(found.results.map((r) => r.path), ['~ann/docs/plan.txt']);

    assert.equal(await ann.filesOk(['share', '/docs', '--with', 'ben', '--write']), 'shared /docs with ben (write)\n');
    assert.equal(await ann.filesOk(['unshare', '/docs', '--with', 'ben']), 'ended 1 share of /docs\n');
    const gone = await ben.files(['ls', '~ann/docs']);
    assert.deepEqual([gone.code, gone.stderr.split(':')[0]], [1, 'error not_found']);
    assert.equal(await ben.filesOk(['shared']), 'nothing is shared with you yet\n');

    const usage = await ann.files(['share', '/docs', '--write']);
    assert.deepEqual([usage.code, usage.stderr], [1, 'error invalid: --write needs someone to share with: --with NAME[,NAME] or --group GROUP\n']);
    const nobody = await ann.files(['share', '/docs', '--with', 'nobody-at-all']);
    assert.deepEqual([nobody.code, nobody.stderr.split(':')[0]], [1, 'error not_found']);
  });

  it('a link with a password and an expiry works over plain HTTP until it is ended', async () => {
    const made = await ann.one<{ url: string; token: string; link: { id: number; hasPassword: boolean; expiresAt: string } }>(
      ['share', '/docs/plan.txt', '--link', '--password-stdin', '--expires', '7d'],
      'open sesame\n',
    );
    assert.equal(made.link.hasPassword, true);
    const days = (Date.parse(made.link.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);
    const read = await fetch(made.url, { headers: { 'x-pod-link-password': 'open sesame' } });
    assert.deepEqual([read.status, await read.text()], [200, 'the plan\n']);
    assert.equal((await fetch(made.url)).status, 401);
    assert.match(await ann.filesOk(['share', '/docs/plan.txt']), new RegExp(`^link ${made.link.id}: with a password, until \\d{4}-`, 'm'));

    const human = await ann.filesOk(['share', '/docs', '--link']);
    const [url, what, end] = human.trimEnd().split('\n');
    assert.match(url!, /^https?:\/\/.+\/v1\/files\/links\/[A-Za-z0-9_-]{43}$/);
    assert.equal(what, 'anyone with this link can read /docs');
    assert.match(end!, /^end it with: pod unshare \/docs --link \d+$/);
    assert.equal((await fetch(url!)).status, 200);

    const wrongItem = await ann.files(['unshare', '/docs', '--link', String(made.link.id)]);
    assert.deepEqual([wrongItem.code, wrongItem.stderr], [1, `error not_found: /docs has no link ${made.link.id}; pod share /docs lists its links\n`]);
    assert.equal(await ann.filesOk(['unshare', '/docs/plan.txt', '--link', String(made.link.id)]), `link ${made.link.id} to /docs/plan.txt no longer works\n`);
    assert.equal((await fetch(made.url, { headers: { 'x-pod-link-password': 'open sesame' } })).status, 404);
  });

  it('send-file uploads a local file and sends it; the recipient reads it from the message', async () => {
    await acceptFromAnyone(ben);
    writeFileSync(join(work, 'photo.jpg'), 'not really a jpeg');
    assert.match(await ann.filesOk(['send-file', 'ben', join(work, 'photo.jpg')]), /^sent photo\.jpg \(17 B\) to ben at \d{4}-\d\d-\d\d \d\d:\d\d\n$/);
    const sent = await ann.one<ImMessage>(['send-file', 'ben', '/docs/plan.txt', '--text', 'read this']);
    assert.deepEqual([sent.text, sent.attachments?.map((a) => [a.name, a.owner])], ['read this', [['plan.txt', 'ann']]]);

    const { messages } = await ben.one<{ messages: ImMessage[] }>(['messages', 'ann']);
    assert.deepEqual(messages.map((m) => m.attachments?.[0]?.name), ['photo.jpg', 'plan.txt']);
    await ben.filesOk(['download', '~ann/Sent/photo.jpg', join(work, 'got.jpg')]);
    const missing = await ann.files(['send-file', 'ben', join(work, 'no-such-file')]);
    assert.deepEqual([missing.code, missing.stderr.split(':')[0]], [1, 'error not_found']);
  });

  it('publish puts a folder in the pod universe for every user; unpublish takes it out', async () => {
    assert.equal(await ben.filesOk(['universe']), 'nobody has published anything yet\n');
    assert.equal(await ann.filesOk(['publish', '/docs']), 'published /docs: every user of this pod can read it (pod unpublish /docs ends that)\n');
    const universe = await ben.one<{ users: { profile: { name: string }; items: { path: string }[] }[] }>(['universe']);
    assert.deepEqual(universe.users.map((u) => [u.profile.name, u.items.map((i) => i.path)]), [['ann', ['~ann/docs']]]);
    assert.match(await ben.filesOk(['universe', 'ann']), /^ann\n  -\s+\S+ \S+\s+~ann\/docs\/\n$/);
    const nobody = await ben.files(['universe', 'ben']);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /^error not_found: ben has published nothing/);
    assert.equal(await ann.filesOk(['unpublish', '/docs']), '/docs is no longer published\n');
    assert.equal(await ben.filesOk(['universe']), 'nobody has published anything yet\n');
  });
});
