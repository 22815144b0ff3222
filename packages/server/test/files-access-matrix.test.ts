import { PodError } from '@pod/sdk';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fetchContent, upload } from './helpers/files.ts';
import { befriend, startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

type Outcome = 'ok' | 'forbidden' | 'not_found' | 'invalid';
type Actor = 'owner' | 'reader' | 'writer' | 'member' | 'buddy' | 'stranger';
type Action = 'stat' | 'list' | 'download' | 'search' | 'overwrite' | 'rename' | 'delete' | 'reshare';

/**
 * Who may do what, for an item granted to reader (read), writer (write) and the group Team
 * (read, member is in it); buddy is the owner's buddy in another group, stranger no one's.
 * Only the owner shares onward. Everyone without a grant gets not_found, as for no item at all.
 */
const granted = { stat: 'ok', list: 'ok', download: 'ok', search: 'ok' } as const;
const hidden = { stat: 'not_found', list: 'not_found', download: 'not_found', search: 'not_found', overwrite: 'not_found', rename: 'not_found', delete: 'not_found', reshare: 'not_found' } as const;
const readOnly = { ...granted, overwrite: 'forbidden', rename: 'forbidden', delete: 'forbidden', reshare: 'forbidden' } as const;
const matrix: Record<Actor, Record<Action, Outcome>> = {
  owner: { ...granted, overwrite: 'ok', rename: 'ok', delete: 'ok', reshare: 'ok' },
  reader: readOnly,
  writer: { ...granted, overwrite: 'ok', rename: 'ok', delete: 'ok', reshare: 'forbidden' },
  member: readOnly,
  buddy: hidden,
  stranger: hidden,
};
const revoked: Record<Actor, Partial<Record<Action, Outcome>>> = {
  owner: { stat: 'ok', download: 'ok', search: 'ok' },
  reader: { stat: 'not_found', download: 'not_found', search: 'not_found', overwrite: 'not_found' },
  writer: { stat: 'not_found', download: 'not_found', search: 'not_found', overwrite: 'not_found' },
  member: { stat: 'not_found', download: 'not_found', search: 'not_found' },
  buddy: { stat: 'not_found', download: 'not_found', search: 'not_found' },
  stranger: { stat: 'not_found', download: 'not_found', search: 'not_found' },
};

async function outcome(promise: Promise<unknown>): Promise<Outcome> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof PodError && ['forbidden', 'not_found', 'invalid'].includes(error.code)) return error.code as Outcome;
    throw error;
  }
}

/** A refusal as a caller sees it, with the id taken out: what a missing id and a hidden one must share. */
async function refusalBody(pod: TestPod, user: TestUser, op: string, body: object, id: number): Promise<string> {
  const response = await fetch(`${pod.url}/v1/op/${op}`, { method: 'POST', headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return `${response.status} ${(await response.text()).replaceAll(String(id), '#')}`;
}

describe('files: the access matrix (who can list, read, find, change, reshare or learn of an item)', () => {
  let pod: TestPod;
  let users: Record<Actor, TestUser>;
  const ownerName = 'mx-owner';
  before(async () => {
    pod = await startTestPod();
    const made = await Promise.all((['owner', 'reader', 'writer', 'member', 'buddy', 'stranger'] as const).map((actor) => pod.user(`mx-${actor}`)));
    users = Object.fromEntries(made.map((user) => [user.name.slice(3), user])) as Record<Actor, TestUser>;
    await befriend(users.owner, users.member);
    await users.owner.op('buddies.move', { name: users.member.name, group: 'Team' });
    await befriend(users.owner, users.buddy);
  });
  after(() => pod.close());

  /** Each item: the shared thing, and the file in it that the actions touch. */
  const items = [
    { label: 'a file shared by itself', share: '/solo.txt', file: '/solo.txt', folder: undefined },
    { label: 'a file two folders inside a shared folder', share: '/proj', file: '/proj/sub/nested.txt', folder: '/proj/sub' },
  ];

  for (const item of items) {
    it(`grants exactly what the table says, for ${item.label}, and revoking takes it all back at once`, async () => {
      const owner = users.owner;
      await upload(pod, owner, item.file, Buffer.from(`contents of ${item.file}`));
      const shared = (await owner.op('files.stat', { target: item.share })).entry;
      const file = (await owner.op('files.stat', { target: item.file })).entry;
      const folderId = item.folder ? (await owner.op('files.stat', { target: item.folder })).entry.id : undefined;
      await owner.op('files.share', { target: shared.id, with: [users.reader.name] });
      await owner.op('files.share', { target: shared.id, with: [users.writer.name], access: 'write' });
      await owner.op('files.share', { target: shared.id, group: 'Team' });
      const shareName = file.name;

      const act = async (actor: Actor, action: Action): Promise<Outcome> => {
        const user = users[actor];
        const path = actor === 'owner' ? item.file : `~${ownerName}${item.file}`;
        switch (action) {
          case 'stat':
            return outcome(user.op('files.stat', { target: file.id }));
          case 'list':
            return folderId === undefined ? outcome(user.op('files.stat', { target: file.id })) : outcome(user.op('files.list', { folder: folderId }));
          case 'download': {
            const { status } = await fetchContent(pod, user, `id=${file.id}`);
            return status === 200 ? 'ok' : status === 404 ? 'not_found' : status === 403 ? 'forbidden' : 'invalid';
          }
          case 'search': {
            const found = await user.op('files.search', { query: shareName, scope: 'all' });
            return found.results.some((result) => result.entry.id === file.id) ? 'ok' : 'not_found';
          }
          case 'overwrite':
            return outcome(upload(pod, user, path, Buffer.from(`overwritten by ${actor}`)));
          case 'rename': {
            const result = await outcome(user.op('files.rename', { target: file.id, name: `${shareName}.renamed` }));
            if (result === 'ok') await user.op('files.rename', { target: file.id, name: shareName });
            return result;
          }
          case 'delete': {
            const result = await outcome(user.op('files.delete', { target: file.id }));
            // Into the owner's trash: only they see it there, and they put it back.
            if (result === 'ok') await owner.op('files.trash.restore', { id: file.id });
            return result;
          }
          case 'reshare': {
            const to = actor === 'stranger' ? users.buddy.name : users.stranger.name;
            const result = await outcome(user.op('files.share', { target: file.id, with: [to] }));
            if (result === 'ok') await owner.op('files.unshare', { target: file.id, with: [to] });
            return result;
          }
        }
      };

      const check = async (table: Record<Actor, Partial<Record<Action, Outcome>>>, when: string) => {
        const wrong: string[] = [];
        for (const [actor, row] of Object.entries(table) as Array<[Actor, Partial<Record<Action, Outcome>>]>) {
          for (const [action, expected] of Object.entries(row) as Array<[Action, Outcome]>) {
            const got = await act(actor, action);
            if (got !== expected) wrong.push(`${when}: ${actor} ${action}: expected ${expected}, got ${got}`);
          }
        }
        assert.deepEqual(wrong, []);
      };
      await check(matrix, 'shared');

      // Learning of existence: a hidden id is refused exactly as an id that never existed.
      const missing = 9_000_000 + file.id;
      for (const actor of ['buddy', 'stranger'] as const) {
        const user = users[actor];
        assert.equal(await refusalBody(pod, user, 'files.stat', { target: file.id }, file.id), await refusalBody(pod, user, 'files.stat', { target: missing }, missing));
        assert.equal(await refusalBody(pod, user, 'files.versions', { target: file.id }, file.id), await refusalBody(pod, user, 'files.versions', { target: missing }, missing));
        const hiddenDownload = await fetchContent(pod, user, `id=${file.id}`);
        const missingDownload = await fetchContent(pod, user, `id=${missing}`);
        assert.equal(`${hiddenDownload.status} ${hiddenDownload.body.toString().replaceAll(String(file.id), '#')}`, `${missingDownload.status} ${missingDownload.body.toString().replaceAll(String(missing), '#')}`);
        // A "~owner/path" that exists answers like one that does not.
        const hiddenPath = await outcome(user.op('files.stat', { target: `~${ownerName}${item.file}` }));
        const missingPath = await outcome(user.op('files.stat', { target: `~${ownerName}/no/such/file` }));
        assert.deepEqual([hiddenPath, missingPath], ['not_found', 'not_found']);
      }

      await owner.op('files.unshare', { target: shared.id, all: true });
      await check(revoked, 'revoked');
    });
  }

  it('lets a link holder, with no account, read the linked file or what is inside the linked folder, and nothing else', async () => {
    const owner = users.owner;
    await upload(pod, owner, '/linked/inner/deep.txt', Buffer.from('deep'));
    await upload(pod, owner, '/unlinked.txt', Buffer.from('other'));
    const { token } = await owner.op('files.link.create', { target: '/linked' });
    // node:http sends the path as written: fetch would resolve "..", and test nothing.
    const get = (path: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const { hostname, port } = new URL(pod.url);
        request({ hostname, port, path: `/v1/files/links/${token}${path}` }, (response) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
        })
          .on('error', reject)
          .end();
      });
    assert.deepEqual(await get('/inner/deep.txt'), { status: 200, text: 'deep' });
    assert.equal((await get('')).status, 200);
    assert.equal((await get('/inner/missing.txt')).status, 404);
    assert.equal((await get('/../unlinked.txt')).status, 400, 'no path climbs out of the linked folder');
    assert.equal((await get('/%2E%2E/unlinked.txt')).status, 400);
    // The link opens nothing to an account: ids and paths stay hidden from a stranger.
    const deep = (await owner.op('files.stat', { target: '/linked/inner/deep.txt' })).entry;
    assert.equal(await outcome(users.stranger.op('files.stat', { target: deep.id })), 'not_found');
  });
});
