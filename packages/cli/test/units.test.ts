import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PodError } from '@pod/protocol';
import { showEvent } from '../src/commands/listen.ts';
import { normalizeServer } from '../src/config.ts';
import { asPodError, table } from '../src/output.ts';
import { stripOneNewline } from '../src/stdin.ts';

describe('cli pieces', () => {
  it('strips exactly one trailing newline from a piped password', () => {
    assert.equal(stripOneNewline('secret\n'), 'secret');
    assert.equal(stripOneNewline('secret\r\n'), 'secret');
    assert.equal(stripOneNewline('secret\n\n'), 'secret\n');
    assert.equal(stripOneNewline('secret '), 'secret ');
  });

  it('normalizes server URLs and refuses what is not http(s)', () => {
    assert.equal(normalizeServer('http://localhost:8080/'), 'http://localhost:8080');
    assert.equal(normalizeServer('https://example.org/pod/'), 'https://example.org/pod');
    assert.throws(() => normalizeServer('localhost:8080'), { code: 'invalid' });
    assert.throws(() => normalizeServer('ftp://example.org'), { code: 'invalid' });
  });

  it('maps connection failures to unavailable and the unexpected to internal', () => {
    assert.equal(asPodError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).code, 'unavailable');
    assert.equal(asPodError(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })).code, 'unavailable');
    assert.equal(asPodError(new Error('boom')).code, 'internal');
    const original = new PodError('conflict', 'taken');
    assert.equal(asPodError(original), original);
  });

  it('renders each kind of event as one line', () => {
    const at = '2030-01-02T03:04:05.000Z';
    const message = { id: 'm1', from: 'bob', to: 'alice', text: 'hi', at, order: 1, deliveredAt: null, readAt: null };
    const lines = [
      showEvent({ seq: 1, type: 'im.message', body: message }, 'alice'),
      showEvent({ seq: 2, type: 'im.message', body: { ...message, from: 'alice', to: 'bob' } }, 'alice'),
      showEvent({ seq: 3, type: 'im.receipt', body: { ids: ['m1', 'm2'], kind: 'read', by: 'bob', at } }, 'alice'),
      showEvent({ seq: 4, type: 'buddy.entry', body: { name: 'carol', entry: { name: 'carol', displayName: 'carol', group: 'Buddies', state: 'incoming' } } }, 'alice'),
      showEvent({ seq: 5, type: 'buddy.entry', body: { name: 'carol', entry: null } }, 'alice'),
      showEvent({ seq: 6, type: 'buddy.blocked', body: { name: 'eve', blocked: true } }, 'alice'),
      showEvent({ type: 'presence', body: { name: 'bob', status: 'away', text: 'lunch' } }, 'alice'),
    ];
    for (const line of lines) assert.equal(line.includes('\n'), false);
    assert.match(lines[0]!, /^\[2030-01-0\d \d\d:\d\d\] bob: hi$/);
    assert.match(lines[1]!, /\] to bob: hi$/);
    assert.equal(lines[2], 'bob read 2 of your messages');
    assert.equal(lines[3], 'carol wants to be your buddy: pod buddies accept carol, or decline');
    assert.equal(lines[4], 'carol is no longer on your buddy list');
    assert.equal(lines[5], 'blocked eve');
    assert.equal(lines[6], 'bob is away: lunch');
  });

  it('aligns table columns', () => {
    assert.deepEqual(table([['a', 'bb', 'c'], ['ccc', 'd', '']]), ['a    bb  c', 'ccc  d']);
  });
});
