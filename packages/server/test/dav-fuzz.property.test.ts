import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { davUser, LOCK_BODY, lockTokenOf, type DavUser } from './helpers/dav.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

const XML_PIECES = [
  '<?xml version="1.0"?>', '<D:propfind xmlns:D="DAV:">', '</D:propfind>', '<D:prop>', '</D:prop>', '<D:allprop/>', '<D:propname/>',
  '<D:propertyupdate xmlns:D="DAV:">', '</D:propertyupdate>', '<D:set>', '</D:set>', '<D:remove>', '</D:remove>',
  '<D:lockinfo xmlns:D="DAV:">', '</D:lockinfo>', '<D:lockscope>', '</D:lockscope>', '<D:exclusive/>', '<D:shared/>',
  '<D:locktype>', '</D:locktype>', '<D:write/>', '<D:owner>', '</D:owner>', '<Z:x xmlns:Z="urn:z">', '</Z:x>', '<Q:y>',
  '<D:getetag>', '</D:getetag>', 'text', '&amp;', '&bogus;', '<![CDATA[x]]>', '<!-- c -->', '<!DOCTYPE x>', '<', '>', '"', "'", ' xmlns="" ', '\u0000', 'é',
];
const IF_PIECES = ['(', ')', '<', '>', '[', ']', 'Not', ' ', 'DAV:no-lock', 'opaquelocktoken:', '"etag"', 'W/', '/dav/x.txt', 'http://h/dav/x.txt', 'TOKEN'];

const xmlish = fc.oneof(
  fc.array(fc.constantFrom(...XML_PIECES), { maxLength: 30 }).map((pieces) => pieces.join('')),
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.string({ maxLength: 300 }),
);
const headerish = (token: () => string) =>
  fc
    .oneof(
      fc.array(fc.constantFrom(...IF_PIECES), { maxLength: 20 }).map((pieces) => pieces.join('')),
      fc.string({ maxLength: 200 }),
    )
    .map((text) => text.replaceAll('TOKEN', token()).replace(/[^\x20-\x7e]/g, '').trim());

/**
 * Any bytes as a PROPFIND, PROPPATCH or LOCK body, any text as an If, Lock-Token, Depth,
 * Timeout, Overwrite or Destination header: the answer is a success or a refusal (2xx-4xx,
 * never 5xx), and the server keeps answering afterwards.
 */
describe('WebDAV: malformed requests never break the server', () => {
  let pod: TestPod;
  let ann: DavUser;
  let token = '';
  before(async () => {
    pod = await startTestPod();
    ann = await davUser(pod, 'ann');
    await ann.dav('PUT', '/x.txt', { body: 'x' });
    token = lockTokenOf(await ann.dav('LOCK', '/x.txt', { body: LOCK_BODY('shared') }));
  });
  after(() => pod.close());

  const stillAnswers = async () => assert.equal((await ann.dav('PROPFIND', '/x.txt', { headers: { depth: '0' } })).status, 207);

  it('bodies of PROPFIND, PROPPATCH and LOCK', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('PROPFIND', 'PROPPATCH', 'LOCK'), fc.constantFrom('/x.txt', '/', '/new.txt'), xmlish, async (method, path, body) => {
        const answer = await ann.dav(method, path, { body, headers: { depth: '0' } });
        assert.ok(answer.status >= 200 && answer.status < 500, `${method} ${path} ${JSON.stringify(body)} -> ${answer.status} ${answer.text}`);
        if (method === 'LOCK' && answer.status < 300) {
          const taken = answer.headers.get('lock-token');
          if (taken) await ann.dav('UNLOCK', path, { headers: { 'lock-token': taken } });
        }
      }),
      { numRuns: 150 },
    );
    await stillAnswers();
  });

  it('If, Lock-Token and other headers', async () => {
    const headers = ['if', 'lock-token', 'depth', 'timeout', 'overwrite', 'destination'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('PUT', 'DELETE', 'UNLOCK', 'LOCK', 'COPY', 'MOVE', 'PROPPATCH'), fc.constantFrom(...headers), headerish(() => token), async (method, name, value) => {
        const body = method === 'PUT' ? 'y' : method === 'LOCK' ? LOCK_BODY('shared') : method === 'PROPPATCH' ? '<D:propertyupdate xmlns:D="DAV:"/>' : undefined;
        const extra: Record<string, string> = method === 'COPY' || method === 'MOVE' ? { destination: '/dav/copy.txt' } : {};
        const answer = await ann.dav(method, '/x.txt', { body, headers: { ...extra, [name]: value } });
        assert.ok(answer.status >= 200 && answer.status < 500, `${method} ${name}: ${JSON.stringify(value)} -> ${answer.status} ${answer.text}`);
        if (method === 'MOVE' && answer.status < 300) await ann.dav('MOVE', '/copy.txt', { headers: { destination: '/dav/x.txt', if: `(<${token}>)` } });
        if (method === 'DELETE' && answer.status < 300) await ann.dav('PUT', '/x.txt', { body: 'x' });
        const taken = method === 'LOCK' ? answer.headers.get('lock-token') : null;
        if (taken) await ann.dav('UNLOCK', '/x.txt', { headers: { 'lock-token': taken } });
      }),
      { numRuns: 200 },
    );
    await stillAnswers();
  });
});
