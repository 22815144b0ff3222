import { PodError, type PublishedItem } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownItem, pathsOf, viewedPath } from './access.ts';
import { decodeCursor, encodeCursor, isNameCursor, toEntry } from './entries.ts';
import { nodesByIdsAnyOwner, type Db } from './nodes.repo.ts';
import { deleteShares, publishedRows, publisherByName, publishers, upsertShare, type ShareRow } from './shares.repo.ts';
import { prepareMemberships, writeViewer, type Memberships } from './viewer.ts';

const DEFAULT_USERS = 20;
/** Items shown per user in the universe's list of users; `more` says there are others. */
const ITEMS_PER_USER = 20;
const DEFAULT_ITEMS = 50;
const isIdCursor = (value: unknown): value is [number] => Array.isArray(value) && value.length === 1 && Number.isSafeInteger(value[0]);

/** Published items as readers see them; what the owner trashed meanwhile is left out. */
async function asItems(db: Db, rows: readonly ShareRow[]): Promise<PublishedItem[]> {
  const nodes = new Map((await nodesByIdsAnyOwner(db, rows.map((row) => Number(row.node_id)))).map((row) => [Number(row.id), row]));
  const paths = await pathsOf(db, [...nodes.keys()]);
  return rows.flatMap((share) => {
    const node = nodes.get(Number(share.node_id));
    if (!node || node.trash_root !== null) return [];
    return [{ entry: toEntry(node), path: viewedPath({ ownerName: share.owner_name }, paths.get(Number(node.id)) ?? `/${node.name}`), publishedAt: share.created_at }];
  });
}

/** Publishing (a grant to every signed-in user) and the pod universe that lists it. */
export const universeOps: AppOps<FilesTables> = {
  'files.publish': {
    prepare: (input, request, ctx) => prepareMemberships(ctx, request, [input.target]),
    async write(scope, input, request) {
      const caller = request.caller!;
      const row = await ownItem(scope.tx, writeViewer(request, request.prepared as Memberships | undefined), input.target, 'published');
      await upsertShare(scope.tx, { ownerId: caller.userId, ownerName: caller.name, nodeId: Number(row.id), kind: 'public', granteeId: 0, granteeName: '', access: 'read', at: scope.now });
      const path = (await pathsOf(scope.tx, [Number(row.id)])).get(Number(row.id)) ?? `/${row.name}`;
      return { entry: toEntry(row), path };
    },
  },
  'files.unpublish': {
    prepare: (input, request, ctx) => prepareMemberships(ctx, request, [input.target]),
    async write(scope, input, request) {
      const row = await ownItem(scope.tx, writeViewer(request, request.prepared as Memberships | undefined), input.target, 'unpublished');
      return { removed: (await deleteShares(scope.tx, Number(row.id), { published: true })) > 0 };
    },
  },
  'files.universe': {
    async read(input, request, ctx) {
      if (input.user !== undefined) {
        const ownerId = await publisherByName(ctx.db, input.user);
        const { profiles } = ownerId === undefined ? { profiles: [] } : await ctx.call('directory.profiles', { ids: [ownerId] });
        const profile = profiles[0];
        if (ownerId === undefined || !profile) throw new PodError('not_found', `${input.user} has published nothing`);
        const limit = input.limit ?? DEFAULT_ITEMS;
        const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isIdCursor)[0];
        const rows = await publishedRows(ctx.db, ownerId, after, limit + 1);
        const page = rows.slice(0, limit);
        const { id: _id, ...publicProfile } = profile;
        const last = page[page.length - 1];
        const more = rows.length > limit && last !== undefined;
        return { users: [{ profile: publicProfile, items: await asItems(ctx.db, page), more }], ...(more ? { next: encodeCursor([Number(last.id)]) } : {}) };
      }
      const limit = input.limit ?? DEFAULT_USERS;
      const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isNameCursor)[0];
      const owners = await publishers(ctx.db, after, limit + 1);
      const page = owners.slice(0, limit);
      // Disabled accounts have no public profile, and so no place in the universe.
      const { profiles } = await ctx.call('directory.profiles', { ids: page.map((owner) => owner.id) });
      const users = [];
      for (const owner of page) {
        const profile = profiles.find((p) => p.id === owner.id);
        if (!profile) continue;
        const rows = await publishedRows(ctx.db, owner.id, undefined, ITEMS_PER_USER + 1);
        const { id: _id, ...publicProfile } = profile;
        users.push({ profile: publicProfile, items: await asItems(ctx.db, rows.slice(0, ITEMS_PER_USER)), more: rows.length > ITEMS_PER_USER });
      }
      const last = page[page.length - 1];
      return { users, ...(owners.length > limit && last ? { next: encodeCursor([last.name]) } : {}) };
    },
  },
};
