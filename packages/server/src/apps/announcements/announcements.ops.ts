import { PodError } from '@pod/protocol';
import type { AppContext, AppOps } from '../../runtime/app.ts';
import type { AnnouncementTables } from '../../store/schema.ts';
import { announcementExists, deleteAnnouncement, insertAnnouncement, insertDismissal, listAnnouncements } from './announcements.repo.ts';
import { announcementHtml } from './sanitise.ts';

const DEFAULT_LIST = 100;
const USER_PAGE = 10_000;

/**
 * Every enabled user, asked of the directory page by page (outside the transaction). Someone
 * created meanwhile misses the live event, not the announcement: their first list shows it.
 */
async function everyone(ctx: AppContext<AnnouncementTables>): Promise<number[]> {
  const ids: number[] = [];
  for (let after: number | undefined = 0; after !== undefined; ) {
    const page: { ids: number[]; next?: number } = await ctx.call('directory.userIds', { after, limit: USER_PAGE });
    ids.push(...page.ids);
    after = page.next;
  }
  return ids;
}

/** Announcements from administrators to every user, with per-user dismissal. */
export const announcementOps: AppOps<AnnouncementTables> = {
  'announcements.post': {
    async prepare(input, _request, ctx) {
      // Sanitised once, here, before anything is stored: clients get only the allowed subset.
      return { ...(await announcementHtml(input)), recipients: await everyone(ctx) };
    },
    async write(scope, _input, request: { caller?: { userId: number; name: string }; prepared: Awaited<ReturnType<typeof announcementHtml>> & { recipients: number[] } }) {
      const caller = request.caller!;
      const { recipients, ...posted } = request.prepared;
      const id = await insertAnnouncement(scope.tx, { authorId: caller.userId, authorName: caller.name, ...posted, now: scope.now });
      const announcement = { id, html: posted.html, author: caller.name, postedAt: scope.now, dismissed: false };
      await scope.emit(recipients, 'announcement.posted', announcement);
      return announcement;
    },
  },
  'announcements.list': {
    async read(input, request, ctx) {
      return { announcements: await listAnnouncements(ctx.db, request.caller!.userId, input.limit ?? DEFAULT_LIST) };
    },
  },
  'announcements.dismiss': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      if (!(await announcementExists(scope.tx, input.id))) throw new PodError('not_found', `there is no announcement ${input.id}`);
      // My other devices hide it too; a second dismissal tells them nothing new.
      if (await insertDismissal(scope.tx, userId, input.id, scope.now)) await scope.emit([userId], 'announcement.dismissed', { id: input.id });
      return {};
    },
  },
  'announcements.remove': {
    async prepare(_input, _request, ctx) {
      return await everyone(ctx);
    },
    async write(scope, input, request: { prepared: number[] }) {
      if (!(await deleteAnnouncement(scope.tx, input.id))) throw new PodError('not_found', `there is no announcement ${input.id}`);
      await scope.emit(request.prepared, 'announcement.removed', { id: input.id });
      return {};
    },
  },
};
