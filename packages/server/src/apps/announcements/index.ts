import { defineApp } from '../../runtime/app.ts';
import type { AnnouncementTables } from '../../store/schema.ts';
import { announcementOps } from './announcements.ops.ts';

/** Notices from the pod's administrators to every user, sanitised when posted, dismissable per user. */
export const announcementsApp = defineApp<AnnouncementTables>({ name: 'announcements', ops: announcementOps });
