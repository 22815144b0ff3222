import { z } from 'zod';
import { isoTime, userName } from '../common.ts';
import type { OpDef } from './define.ts';

/** Longest source text an administrator may post (Markdown or HTML). */
export const MAX_ANNOUNCEMENT_CHARS = 64 * 1024;

/**
 * A notice from the pod's administrators to every user. `html` was sanitised by the server
 * when it was posted (an allow-list of formatting tags, only http, https and mailto links),
 * so clients may render it as HTML, and nothing else from the wire.
 */
export const announcement = z.strictObject({
  id: z.number().int().positive(),
  html: z.string(),
  author: userName,
  postedAt: isoTime,
  /** Whether the caller dismissed it (on any of their devices). */
  dismissed: z.boolean(),
});
export type Announcement = z.infer<typeof announcement>;

const byId = z.strictObject({ id: z.number().int().positive() });
const source = z.string().max(MAX_ANNOUNCEMENT_CHARS, `an announcement has at most ${MAX_ANNOUNCEMENT_CHARS} characters`);

export const announcementOps = {
  /** Posts to every user: stored, then an `announcement.posted` event in each user's mailbox. Exactly one of `markdown` or `html`. */
  'announcements.post': {
    app: 'announcements',
    access: 'admin',
    input: z
      .strictObject({ markdown: source.optional(), html: source.optional() })
      .refine((body) => (body.markdown === undefined) !== (body.html === undefined), 'give exactly one of markdown or html'),
    output: announcement,
  },
  /** Every announcement, newest first, each saying whether I dismissed it. */
  'announcements.list': {
    app: 'announcements',
    access: 'user',
    readonly: true,
    input: z.strictObject({ limit: z.number().int().min(1).max(500).optional() }),
    output: z.strictObject({ announcements: z.array(announcement) }),
  },
  /** Hides an announcement for me on every device (an `announcement.dismissed` event in my mailbox). */
  'announcements.dismiss': { app: 'announcements', access: 'user', input: byId, output: z.strictObject({}) },
  /** Deletes an announcement for everyone (an `announcement.removed` event in every mailbox). */
  'announcements.remove': { app: 'announcements', access: 'admin', input: byId, output: z.strictObject({}) },
} as const satisfies Record<string, OpDef>;
