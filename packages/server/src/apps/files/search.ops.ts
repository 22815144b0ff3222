import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { pathsOf, viewedPath } from './access.ts';
import { decodeCursor, encodeCursor, isNameIdCursor, toEntry } from './entries.ts';
import { countLive, searchNodes } from './nodes.repo.ts';
import { grantedTops } from './grants.ts';
import { storedBytesOf, trashBytesOf, usageOf } from './versions.repo.ts';
import { readViewer } from './viewer.ts';

const DEFAULT_PAGE = 50;

/** Times compare as text in the store, so both sides must be in one form (UTC, milliseconds). */
const utc = (time: string | undefined) => (time === undefined ? undefined : new Date(time).toISOString());

/** Finding files (mine, and those I may read), and what mine take. */
export const searchOps: AppOps<FilesTables> = {
  'files.search': {
    async read(input, request, ctx) {
      const viewer = readViewer(ctx, request);
      const scope = input.scope ?? 'own';
      const limit = input.limit ?? DEFAULT_PAGE;
      const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isNameIdCursor);
      const filters = { ...input, modifiedAfter: utc(input.modifiedAfter), modifiedBefore: utc(input.modifiedBefore) };
      const granted = scope === 'own' ? [] : await grantedTops(ctx.db, viewer, scope);
      const owners = new Map(granted.map((share) => [Number(share.owner_id), share.owner_name]));
      const among = {
        ...(scope === 'own' || scope === 'all' ? { ownerId: viewer.userId } : {}),
        within: granted.filter((share) => Number(share.owner_id) !== viewer.userId).map((share) => Number(share.node_id)),
      };
      const rows = await searchNodes(ctx.db, among, filters, after, limit + 1);
      const page = rows.slice(0, limit);
      const paths = await pathsOf(ctx.db, page.map((row) => Number(row.id)));
      const last = page[page.length - 1];
      return {
        results: page.map((row) => {
          const path = paths.get(Number(row.id)) ?? `/${row.name}`;
          const ownerName = Number(row.user_id) === viewer.userId ? undefined : owners.get(Number(row.user_id));
          return { entry: toEntry(row), path: viewedPath({ ownerName }, path), ...(ownerName ? { owner: ownerName } : {}) };
        }),
        ...(rows.length > limit && last ? { next: encodeCursor([last.name, Number(last.id)]) } : {}),
      };
    },
  },
  'files.usage': {
    async read(_input, request, ctx) {
      const userId = request.caller!.userId;
      const [logicalBytes, storedBytes, trashBytes, live] = await Promise.all([
        usageOf(ctx.db, userId),
        storedBytesOf(ctx.db, userId),
        trashBytesOf(ctx.db, userId),
        countLive(ctx.db, userId),
      ]);
      return {
        logicalBytes,
        currentBytes: live.currentBytes,
        versionBytes: Math.max(0, logicalBytes - live.currentBytes - trashBytes),
        trashBytes,
        storedBytes,
        // Each stored chunk carries a byte of framing, so a store of incompressible unique data costs a hair more than its size.
        savedBytes: Math.max(0, logicalBytes - storedBytes),
        quotaBytes: ctx.settings.filesQuotaBytes > 0 ? ctx.settings.filesQuotaBytes : null,
        files: live.files,
        folders: live.folders,
      };
    },
  },
};
