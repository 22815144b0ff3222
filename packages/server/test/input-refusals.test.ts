import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';
import { RawSocket } from './helpers/raw-socket.ts';

/** Bugs the fuzz test found at the HTTP and socket edge, each pinned by its own test. */
describe('bad input at the gateway edge', () => {
  let pod: TestPod;
  let ann: TestUser;
  before(async () => {
    pod = await startTestPod();
    ann = await pod.user('ann');
  });
  after(() => pod.close());

  const post = (path: string, headers: Record<string, string>, body = '{}') =>
    fetch(`${pod.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const errorOf = async (response: Response) => ({ status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code });

  it('bug: a malformed Idempotency-Key header was an internal error (500); it is refused as invalid or too large', async () => {
    for (const key of ['has space', 'semi;colon', '']) {
      const response = await post('/v1/op/settings.get', { authorization: `Bearer ${ann.token}`, 'idempotency-key': key });
      assert.deepEqual(await errorOf(response), { status: 400, code: 'invalid' }, key);
    }
    const tooLong = await post('/v1/op/settings.get', { authorization: `Bearer ${ann.token}`, 'idempotency-key': 'k'.repeat(65) });
    assert.deepEqual(await errorOf(tooLong), { status: 413, code: 'too_large' });
  });

  it('bug: a URL Fastify cannot decode was answered in Fastify\'s shape; it is a Pod error', async () => {
    for (const path of ['/v1/op/%', '/v1/op/%E0%A4%A', `/v1/op/${'a'.repeat(150)}`]) {
      const response = await post(path, { authorization: `Bearer ${ann.token}` });
      assert.deepEqual(await errorOf(response), { status: 400, code: 'invalid' }, path);
    }
  });

  it('bug: a token longer than any session token was answered too_large (413); it is unauthorized (401)', async () => {
    const long = 't'.repeat(500);
    assert.deepEqual(await errorOf(await post('/v1/op/settings.get', { authorization: `Bearer ${long}` })), { status: 401, code: 'unauthorized' });
    await assert.rejects(RawSocket.open(pod.url, { authorization: `Bearer ${long}` }), /HTTP 401/);
    const mailbox = await fetch(`${pod.url}/v1/mailbox`, { headers: { authorization: `Bearer ${long}` } });
    assert.deepEqual(await errorOf(mailbox), { status: 401, code: 'unauthorized' });
  });
});
