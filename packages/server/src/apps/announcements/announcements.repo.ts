import type { Announcement } from '@pod/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { AnnouncementTables } from '../../store/schema.ts';

type Db = Kysely<AnnouncementTables> | Transaction<AnnouncementTables>;

export interface NewAnnouncement {
  authorId: number;
  authorName: string;
  format: 'markdown' | 'html';
  source: string;
  html: string;
  now: string;
}

export async function insertAnnouncement(db: Db, row: NewAnnouncement): Promise<number> {
  const { id } = await db
    .insertInto('announcements')
    .values({ author_id: row.authorId, author_name: row.authorName, format: row.format, source: row.source, html: row.html, posted_at: row.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(id);
}

/** The newest announcements first, each with whether `userId` dismissed it. */
export async function listAnnouncements(db: Db, userId: number, limit: number): Promise<Announcement[]> {
  const rows = await db
    .selectFrom('announcements')
    .leftJoin('announcement_dismissals', (join) => join.onRef('announcement_dismissals.announcement_id', '=', 'announcements.id').on('announcement_dismissals.user_id', '=', userId))
    .select(['announcements.id', 'announcements.html', 'announcements.author_name', 'announcements.posted_at', 'announcement_dismissals.dismissed_at'])
    .orderBy('announcements.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: Number(row.id), html: row.html, author: row.author_name, postedAt: row.posted_at, dismissed: row.dismissed_at !== null }));
}

export async function announcementExists(db: Db, id: number): Promise<boolean> {
  return (await db.selectFrom('announcements').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Answers whether this dismissal is new (a second one changes nothing). */
export async function insertDismissal(db: Db, userId: number, announcementId: number, now: string): Promise<boolean> {
  const inserted = await db
    .insertInto('announcement_dismissals')
    .values({ user_id: userId, announcement_id: announcementId, dismissed_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'announcement_id']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Deletes an announcement and its dismissals; answers whether it was there. */
export async function deleteAnnouncement(db: Db, id: number): Promise<boolean> {
  await db.deleteFrom('announcement_dismissals').where('announcement_id', '=', id).execute();
  const deleted = await db.deleteFrom('announcements').where('id', '=', id).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}
