import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestPod } from './helpers/pod.ts';
import { RawSocket } from './helpers/raw-socket.ts';

/** Bugs the delivery model test found around restarts, each pinned by its own test. */
describe('sockets around a shutdown or an unavailable directory', () => {
  it('bug: a socket upgraded after shutdown began stayed open on the dead server, so its device heard nothing more', async () => {
    const pod = await startTestPod();
    try {
      const ann = await pod.user('ann');
      // The gateway closes its sockets first and stops listening after: a reconnecting
      // client can land in between.
      await pod.pod.gateway!.hub.close();
      await assert.rejects(RawSocket.open(pod.url), /HTTP 503/);
      await assert.rejects(RawSocket.open(pod.url, { authorization: `Bearer ${ann.token}` }), /HTTP 503/);
    } finally {
      await pod.close();
    }
  });

  it('bug: a hello while the directory was unavailable closed the socket as unauthorized (4001), so the SDK gave up on a valid session', async () => {
    const pod = await startTestPod();
    try {
      const ann = await pod.user('ann');
      await pod.pod.messenger.close(); // no application server answers any more
      const socket = await RawSocket.open(pod.url);
      socket.send({ t: 'hello', token: ann.token });
      const refusal = await socket.take((f) => f.t === 'res' && f.id === null);
      assert.equal((refusal?.error as { code: string } | undefined)?.code, 'unavailable');
      assert.equal(await socket.closed, 1013, 'closed as "try again later", so the client reconnects');
    } finally {
      await pod.close();
    }
  });
});
