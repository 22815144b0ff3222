import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { pathsOf } from './access.ts';
import { decodeCursor, encodeCursor, isNameIdCursor, toEntry } from './entries.ts';
import { countLive, searchNodes } from './nodes.repo.ts';
import { storedBytesOf, trashBytesOf, usageOf } from './versions.repo.ts';

const DEFAULT_PAGE = 50;

/** Times compare as text in the store, so both sides must be in one form (UTC, milliseconds). */
const utc = (time: string | undefined) => (time === undefined ? undefined : new Date(time).toISOString());

/** Finding my files, and what they take. */
export const searchOps: AppOps<FilesTables> = {
  'files.search': {
    async read(input, request, ctx) {
      const userId = request.caller!.userId;
      const limit = input.limit ?? DEFAULT_PAGE;
      const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isNameIdCursor);
      const filters = { ...input, modifiedAfter: utc(input.modifiedAfter), modifiedBefore: utc(input.modifiedBefore) };
      const rows = await searchNodes(ctx.db, userId, filters, after, limit + 1);
      const page = rows.slice(0, limit);
      const paths = await pathsOf(ctx.db, page.map((row) => Number(row.id)));
      const last = page[page.length - 1];
      return {
        results: page.map((row) => ({ entry: toEntry(row), path: paths.get(Number(row.id)) ?? `/${row.name}` })),
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
