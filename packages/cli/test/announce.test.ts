import type { Announcement } from '@pod/protocol';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestPod, type TestPod } from '../../server/test/helpers/pod.ts';
import { cliUser, removeAll, stopAll, tempDir, type CliUser } from './helpers/cli.ts';

describe('pod announce', () => {
  const cleanup: string[] = [];
  let test: TestPod;
  let root: CliUser;
  let dana: CliUser;
  before(async () => {
    test = await startTestPod();
    [root, dana] = await Promise.all([cliUser(test, 'root', cleanup, { admin: true }), cliUser(test, 'dana', cleanup)]);
  });
  after(async () => {
    await stopAll();
    await test.close();
    await removeAll(cleanup);
  });

  it('posts Markdown from a file and HTML from standard input, lists them, and removes one', async () => {
    const file = join(tempDir('pod-announce-', cleanup), 'notice.md');
    writeFileSync(file, '**Maintenance** tonight at 22:00 <script>alert(1)</script>\n');
    assert.match(await root.ok(['announce', '--markdown', file]), /^posted announcement \d+ to every user: Maintenance tonight at 22:00\n$/);
    const posted = JSON.parse(await root.ok(['announce', '--html', '-', '--json'], '<p onclick="alert(1)">New <em>skins</em> are here</p>')) as Announcement;
    assert.equal(posted.html, '<p>New <em>skins</em> are here</p>');

    const listed = await dana.ok(['announce', '--list']);
    const lines = listed.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID\s+POSTED\s+BY\s+TEXT$/);
    assert.match(lines[1]!, new RegExp(`^${posted.id}\\s.*root\\s+New skins are here$`));
    assert.match(lines[2]!, /root\s+Maintenance tonight at 22:00$/);
    const { announcements } = await dana.json<{ announcements: Announcement[] }>(['announce', '--list']);
    assert.deepEqual(announcements.map((a) => a.id), [posted.id, posted.id - 1]);
    assert.doesNotMatch(announcements[1]!.html, /script/);

    assert.deepEqual(await root.json(['announce', '--remove', String(posted.id)]), { id: posted.id, removed: true });
    assert.equal((await dana.json<{ announcements: Announcement[] }>(['announce', '--list'])).announcements.length, 1);
  });

  it('refuses a non-administrator with forbidden, and a usage error with exit 2', async () => {
    const refused = await dana.run(['announce', '--markdown', '-'], 'I am in charge now');
    assert.deepEqual([refused.code, refused.stdout], [1, '']);
    assert.match(refused.stderr, /^error forbidden: only an administrator may do this\n$/);
    for (const args of [['announce'], ['announce', '--list', '--remove', '1'], ['announce', '--remove', 'first']]) {
      const usage = await root.run(args);
      assert.equal(usage.code, 2, args.join(' '));
      assert.match(usage.stderr, /^error invalid: /, args.join(' '));
    }
    const missing = await root.run(['announce', '--markdown', join(tempDir('pod-announce-', cleanup), 'missing.md')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error invalid: cannot read .*missing\.md/);
  });
});
