import { applyAnnouncementEvent } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refuses } from './helpers/refuses.ts';
import { nextEvent, startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

describe('announcements', () => {
  let pod: TestPod;
  let admin: TestUser;
  let ann: TestUser;
  let bo: TestUser;
  before(async () => {
    pod = await startTestPod();
    admin = await pod.user('root', { admin: true });
    ann = await pod.user('ann');
    bo = await pod.user('bo');
  });
  after(() => pod.close());

  it('an administrator posts Markdown: stored sanitised, pushed live to every connected user, listed for everyone', async () => {
    const annClient = await ann.connect();
    const boClient = await bo.connect();
    // The first post loads the sanitiser (jsdom), which takes seconds on a busy machine.
    const annGets = nextEvent(annClient, (e) => e.type === 'announcement.posted', 60_000);
    const boGets = nextEvent(boClient, (e) => e.type === 'announcement.posted', 60_000);
    const markdown = [
      '# Maintenance',
      '',
      'The pod is **down** tonight, see [the plan](https://pod.example.org/plan) or [write](mailto:ops@pod.example.org).',
      '',
      '<script>alert("md")</script>',
      '',
      '<p onclick="alert(1)">click</p>',
      '',
      '[run me](javascript:alert(2)) and [me too](JaVaScRiPt:alert(3))',
    ].join('\n');
    const posted = await admin.op('announcements.post', { markdown });
    assert.equal(posted.author, 'root');
    assert.equal(posted.dismissed, false);
    assert.match(posted.html, /<h1>Maintenance<\/h1>/);
    assert.match(posted.html, /<strong>down<\/strong>/);
    assert.match(posted.html, /<a href="https:\/\/pod\.example\.org\/plan" target="_blank" rel="noopener noreferrer nofollow">the plan<\/a>/);
    assert.match(posted.html, /href="mailto:ops@pod\.example\.org"/);
    assert.match(posted.html, /<p>click<\/p>/, 'the paragraph stays, its handler goes');
    assertNothingActive(posted.html);
    assert.match(posted.html, />run me</, 'a javascript: link keeps its text, not its href');

    const [toAnn, toBo] = await Promise.all([annGets, boGets]);
    assert.deepEqual(toAnn.body, posted);
    assert.deepEqual(toBo.body, posted);
    assert.equal(typeof toAnn.seq, 'number', 'stored in the mailbox, so it is replayed to a device that was away');
    assert.deepEqual((await bo.op('announcements.list', {})).announcements, [posted]);
  });

  it('strips every way of running script from posted HTML', async () => {
    const html = [
      '<p>Read this</p>',
      '<img src="x" onerror="alert(1)">',
      '<a href="javascript:alert(1)">js</a>',
      '<a href=" java\tscript:alert(1)">tabbed</a>',
      '<a href="data:text/html,<script>alert(1)</script>">data</a>',
      '<a href="vbscript:msgbox(1)">vb</a>',
      '<iframe src="https://evil.example"></iframe>',
      '<svg onload="alert(1)"><textarea><img src=x onerror=alert(1)></textarea></svg>',
      '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
      '<style>body{display:none}</style>',
      '<form action="https://evil.example"><input name="password"></form>',
      '<div style="background:url(javascript:alert(1))" onmouseover="alert(1)">styled</div>',
      '<object data="x.swf"></object><embed src="x.swf"><base href="https://evil.example/">',
      '<a href="https://ok.example" onclick="alert(1)" target="_self">ok</a>',
    ].join('\n');
    const posted = await admin.op('announcements.post', { html });
    assertNothingActive(posted.html);
    assert.match(posted.html, /<p>Read this<\/p>/);
    assert.match(posted.html, /styled/);
    assert.match(posted.html, /<a href="https:\/\/ok\.example" target="_blank" rel="noopener noreferrer nofollow">ok<\/a>/);
    for (const gone of ['<img', '<iframe', '<svg', '<math', '<style', '<form', '<input', '<object', '<embed', '<base', 'style=', 'data:', 'vbscript']) {
      assert.ok(!posted.html.toLowerCase().includes(gone), `${gone} is removed: ${posted.html}`);
    }
  });

  it('refuses a non-administrator with forbidden, and input that is empty, both or neither', async () => {
    await refuses(ann.op('announcements.post', { markdown: 'I am in charge now' }), 'forbidden', /administrator/);
    await refuses(ann.op('announcements.remove', { id: 1 }), 'forbidden', /administrator/);
    await refuses(admin.op('announcements.post', {}), 'invalid', /exactly one of markdown or html/);
    await refuses(admin.op('announcements.post', { markdown: 'a', html: 'b' }), 'invalid', /exactly one of markdown or html/);
    await refuses(admin.op('announcements.post', { html: '<script>alert(1)</script><img src=x>' }), 'invalid', /no text once scripts/);
    await refuses(admin.op('announcements.post', { markdown: 'x'.repeat(64 * 1024 + 1) }), 'too_large', /at most 65536 characters/);
  });

  it('a dismissal is stored for the user: their other devices hide it live, other users still see it', async () => {
    const posted = await admin.op('announcements.post', { markdown: 'Dismiss me' });
    const otherDevice = await ann.connect();
    const hidden = nextEvent(otherDevice, (e) => e.type === 'announcement.dismissed');
    await ann.op('announcements.dismiss', { id: posted.id });
    assert.deepEqual((await hidden).body, { id: posted.id });
    // Again: nothing new to tell.
    await ann.op('announcements.dismiss', { id: posted.id });
    const mine = await ann.op('announcements.list', {});
    assert.equal(mine.announcements.find((a) => a.id === posted.id)?.dismissed, true);
    const bos = await bo.op('announcements.list', {});
    assert.equal(bos.announcements.find((a) => a.id === posted.id)?.dismissed, false);
    await refuses(ann.op('announcements.dismiss', { id: 999_999 }), 'not_found', /no announcement 999999/);
  });

  it('removal takes an announcement from everyone, live; state plus events equals a fresh list', async () => {
    const { client, events } = await bo.connectCollecting();
    const before = (await bo.op('announcements.list', {})).announcements;
    const posted = await admin.op('announcements.post', { markdown: 'Short-lived' });
    await nextEvent(client, (e) => e.type === 'announcement.posted' && e.body.id === posted.id);
    await admin.op('announcements.remove', { id: posted.id });
    await nextEvent(client, (e) => e.type === 'announcement.removed' && e.body.id === posted.id);
    const applied = events.filter((e) => e.seq !== undefined).reduce(applyAnnouncementEvent, before);
    assert.deepEqual(applied, (await bo.op('announcements.list', {})).announcements);
    assert.ok(!applied.some((a) => a.id === posted.id));
    await refuses(admin.op('announcements.remove', { id: posted.id }), 'not_found');
  });

  it('an account created after the post sees it on its first list', async () => {
    const latest = (await admin.op('announcements.list', {})).announcements[0]!;
    const newcomer = await pod.user('newcomer');
    assert.deepEqual((await newcomer.op('announcements.list', {})).announcements[0], { ...latest, dismissed: false });
  });

  it('leaves the pod application’s Content-Security-Policy as strict as it was', async () => {
    for (const path of ['/', '/welcome']) {
      const response = await fetch(`${pod.url}${path}`);
      assert.equal(response.status, 200, path);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /(^|; )script-src 'self'(;|$)/, `${path}: scripts only from the server`);
      assert.match(csp, /(^|; )style-src 'self'(;|$)/, `${path}: no inline styles`);
      assert.match(csp, /(^|; )object-src 'none'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, path);
    }
  });
});

/** No element or attribute that can run script survives, in any letter case. */
function assertNothingActive(html: string): void {
  assert.doesNotMatch(html, /<script|<iframe|<object|<embed|\son[a-z]+=|javascript:|vbscript:/i, html);
}

