import { z } from 'zod';
import { userName } from '../common.ts';
import { profile } from '../ops/directory.ts';
import { fileEntry, fileRef } from './schemas.ts';

/** What a grant allows: `read` (list, stat, download, versions, search, copy out) or also `write`. */
export const shareAccess = z.enum(['read', 'write']);
export type ShareAccess = z.infer<typeof shareAccess>;

/**
 * Who a share is for: one user, every buddy the owner keeps in one of their groups, or every
 * member of a room the file was attached in (as they are now, not when shared).
 */
export const grantee = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('user'), name: userName }),
  z.strictObject({ kind: z.literal('group'), name: z.string() }),
  z.strictObject({ kind: z.literal('room'), name: z.string() }),
]);
export type Grantee = z.infer<typeof grantee>;

/** One grant on one of my items. A share of a folder covers everything in it. */
export const share = z.strictObject({
  id: z.number().int(),
  /** The item shared (id and path in my tree). */
  item: z.strictObject({ id: z.number().int(), path: z.string() }),
  grantee,
  access: shareAccess,
  createdAt: z.string(),
});
export type Share = z.infer<typeof share>;

/** An item someone shared with me, as I see it. */
export const sharedItem = z.strictObject({
  owner: userName,
  entry: fileEntry,
  /** How I name it: "~owner/path" (see sharedPath), or its id. */
  path: z.string(),
  access: shareAccess,
  /** `direct`: shared with me by name; `group`: with a group of the owner's I am in (`group`); `room`: attached in a room I am in (`room`). */
  via: z.enum(['direct', 'group', 'room']),
  group: z.string().optional(),
  room: z.string().optional(),
  sharedAt: z.string(),
});
export type SharedItem = z.infer<typeof sharedItem>;

/** A link as its creator sees it; the token itself is answered once, when the link is made. */
export const fileLink = z.strictObject({
  id: z.number().int(),
  item: z.strictObject({ id: z.number().int(), path: z.string() }),
  kind: z.enum(['file', 'folder']),
  hasPassword: z.boolean(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
});
export type FileLink = z.infer<typeof fileLink>;

/** Link tokens: 32 bytes of randomness (256 bits) in base64url, 43 characters. */
export const linkToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a link token is 43 characters of A-Z, a-z, 0-9, "_" or "-"');
export const linkPassword = z.string().min(1, 'a link password is not empty').max(1024, 'a link password has at most 1024 characters');

/** An item someone published, readable by every signed-in user of the pod. */
export const publishedItem = z.strictObject({ entry: fileEntry, path: z.string(), publishedAt: z.string() });
export type PublishedItem = z.infer<typeof publishedItem>;

/** One user of the pod universe: their public profile and (a page of) what they published. */
export const universeUser = z.strictObject({ profile, items: z.array(publishedItem), more: z.boolean() });
export type UniverseUser = z.infer<typeof universeUser>;

/** A file attached to an instant message, enough for a client to show it and fetch it (by id). */
export const fileAttachment = z.strictObject({
  id: z.number().int(),
  owner: userName,
  name: z.string(),
  size: z.number().int(),
  type: z.string(),
  hash: z.string(),
});
export type FileAttachment = z.infer<typeof fileAttachment>;

export const MAX_ATTACHMENTS = 10;

/** The files a message carries: mine, by path or id. */
export const attachmentRefs = z.array(fileRef).min(1).max(MAX_ATTACHMENTS, `a message carries at most ${MAX_ATTACHMENTS} files`);

/** Who may read a message's attachments: its recipient, or whoever is a member of its room at the time. */
export const attachmentAudience = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('user'), id: z.number().int(), name: userName }),
  z.strictObject({ kind: z.literal('room'), id: z.number().int(), name: z.string().min(1) }),
]);
export type AttachmentAudience = z.infer<typeof attachmentAudience>;
