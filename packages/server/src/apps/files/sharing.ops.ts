import { compareNames, PodError, type Grantee, type Share, type SharedItem } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownItem, pathsOf, viewedPath } from './access.ts';
import { decodeCursor, encodeCursor, toEntry, type NodeRow } from './entries.ts';
import { linksOf, toLink } from './links.repo.ts';
import { nodesByIdsAnyOwner } from './nodes.repo.ts';
import { deleteShares, sharesOf, sharesTo, upsertShare, type ShareRow } from './shares.repo.ts';
import type { Scope } from './tree.ts';
import { prepareMemberships, readViewer, writeViewer, type Memberships } from './viewer.ts';

const DEFAULT_PAGE = 50;
const isIdCursor = (value: unknown): value is [number] => Array.isArray(value) && value.length === 1 && Number.isSafeInteger(value[0]);

function toShare(row: ShareRow, path: string): Share {
  return {
    id: Number(row.id),
    item: { id: Number(row.node_id), path },
    grantee: granteeOf(row),
    access: row.access,
    createdAt: row.created_at,
  };
}

function granteeOf(row: ShareRow): Grantee {
  if (row.grantee_kind === 'public') throw new PodError('internal', 'publishing is not listed as a share');
  return { kind: row.grantee_kind, name: row.grantee_name };
}

/** How a grant reached me, as files.shared names it. */
function viaOf(share: ShareRow): Pick<SharedItem, 'via' | 'group' | 'room'> {
  if (share.grantee_kind === 'group') return { via: 'group', group: share.grantee_name };
  if (share.grantee_kind === 'room') return { via: 'room', room: share.grantee_name };
  return { via: 'direct' };
}

/** Tells grantees who gained or lost sight of an item, like any change of what they see. */
async function tellGrantees(scope: Scope, userIds: readonly number[], row: NodeRow, gone: boolean): Promise<void> {
  if (userIds.length === 0) return;
  await scope.emit(userIds, 'files.changed', gone ? { entries: [], removed: [Number(row.id)] } : { entries: [toEntry(row)], removed: [] });
}

/** Sharing with users and groups: grant, end, list mine, list what others shared with me. */
export const sharingOps: AppOps<FilesTables> = {
  'files.share': {
    async prepare(input, request, ctx) {
      const caller = request.caller!;
      const names = [...new Set(input.with ?? [])];
      if (names.includes(caller.name)) throw new PodError('invalid', 'your files are yours already: share with someone else');
      const { users } = names.length > 0 ? await ctx.call('directory.lookup', { names }) : { users: [] };
      const missing = names.find((name) => !users.some((user) => user.name === name));
      if (missing) throw new PodError('not_found', `no user named ${missing}`);
      if (input.group !== undefined) await ctx.call('directory.groupMembers', { ownerId: caller.userId, group: input.group });
      // Granted (and answered) by name, whatever order the directory answers in.
      return { users: [...users].sort((a, b) => compareNames(a.name, b.name)), memberships: await prepareMemberships(ctx, request, [input.target]) };
    },
    async write(scope, input, request) {
      const caller = request.caller!;
      const prepared = request.prepared as { users: Array<{ id: number; name: string }>; memberships: Memberships | undefined };
      const row = await ownItem(scope.tx, writeViewer(request, prepared.memberships), input.target, 'shared');
      const grantees = prepared.users;
      const access = input.access ?? 'read';
      const base = { ownerId: caller.userId, ownerName: caller.name, nodeId: Number(row.id), access, at: scope.now };
      const rows: ShareRow[] = [];
      for (const user of grantees) rows.push(await upsertShare(scope.tx, { ...base, kind: 'user', granteeId: user.id, granteeName: user.name }));
      if (input.group !== undefined) rows.push(await upsertShare(scope.tx, { ...base, kind: 'group', granteeId: 0, granteeName: input.group }));
      await tellGrantees(scope, grantees.map((user) => user.id), row, false);
      const path = (await pathsOf(scope.tx, [Number(row.id)])).get(Number(row.id)) ?? `/${row.name}`;
      return { shares: rows.map((share) => toShare(share, path)) };
    },
  },
  'files.unshare': {
    async prepare(input, request, ctx) {
      const names = input.with ?? [];
      // A name that is no user has no grant to end; it answers like any other unknown name.
      const { users } = names.length > 0 ? await ctx.call('directory.lookup', { names }) : { users: [] };
      const missing = names.find((name) => !users.some((user) => user.name === name));
      if (missing) throw new PodError('not_found', `no user named ${missing}`);
      return { userIds: users.map((user) => user.id), memberships: await prepareMemberships(ctx, request, [input.target]) };
    },
    async write(scope, input, request) {
      const prepared = request.prepared as { userIds: number[]; memberships: Memberships | undefined };
      const row = await ownItem(scope.tx, writeViewer(request, prepared.memberships), input.target, 'unshared');
      const nodeId = Number(row.id);
      const before = await sharesOf(scope.tx, request.caller!.userId, nodeId);
      const { userIds } = prepared;
      const removed = await deleteShares(scope.tx, nodeId, {
        userIds,
        ...(input.group !== undefined ? { group: input.group } : {}),
        ...(input.room !== undefined ? { room: input.room } : {}),
        ...(input.all ? { all: true } : {}),
      });
      const after = new Set((await sharesOf(scope.tx, request.caller!.userId, nodeId)).map((share) => Number(share.id)));
      const lost = before.filter((share) => share.grantee_kind === 'user' && !after.has(Number(share.id))).map((share) => Number(share.grantee_id));
      await tellGrantees(scope, lost, row, true);
      return { removed };
    },
  },
  'files.shares': {
    async read(input, request, ctx) {
      const viewer = readViewer(ctx, request);
      const row = await ownItem(ctx.db, viewer, input.target, 'shared');
      const nodeId = Number(row.id);
      const path = (await pathsOf(ctx.db, [nodeId])).get(nodeId) ?? `/${row.name}`;
      const rows = await sharesOf(ctx.db, viewer.userId, nodeId);
      const links = await linksOf(ctx.db, viewer.userId, nodeId, undefined, 1000);
      return {
        shares: rows.filter((share) => share.grantee_kind !== 'public').map((share) => toShare(share, path)),
        links: links.map((link) => toLink(link, path, row.kind)),
        published: rows.some((share) => share.grantee_kind === 'public'),
      };
    },
  },
  'files.shared': {
    async read(input, request, ctx) {
      const viewer = readViewer(ctx, request);
      const limit = input.limit ?? DEFAULT_PAGE;
      const before = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isIdCursor)[0];
      const rows = (await sharesTo(ctx.db, viewer.userId, await viewer.memberships(), before, limit + 1)).filter((share) => Number(share.owner_id) !== viewer.userId);
      const page = rows.slice(0, limit);
      const nodes = new Map((await nodesByIdsAnyOwner(ctx.db, page.map((share) => Number(share.node_id)))).map((row) => [Number(row.id), row]));
      const paths = await pathsOf(ctx.db, [...nodes.keys()]);
      const items = page.flatMap((share) => {
        const row = nodes.get(Number(share.node_id));
        // What its owner trashed is out of sight until they restore it.
        if (!row || row.trash_root !== null) return [];
        return [
          {
            owner: share.owner_name,
            entry: toEntry(row),
            path: viewedPath({ ownerName: share.owner_name }, paths.get(Number(row.id)) ?? `/${row.name}`),
            access: share.access,
            ...viaOf(share),
            sharedAt: share.created_at,
          },
        ];
      });
      const last = page[page.length - 1];
      return { items, ...(rows.length > limit && last ? { next: encodeCursor([Number(last.id)]) } : {}) };
    },
  },
};
