import { z } from 'zod';
import { groupName, isoTime, pageLimit, userName } from '../common.ts';
import { filePath } from '../files/names.ts';
import { byteCount, chunkRef, fileCursor, fileEntry, fileRef, nodeId } from '../files/schemas.ts';
import { attachmentAudience, attachmentRefs, fileAttachment, fileLink, linkPassword, linkToken, share, shareAccess, sharedItem, universeUser } from '../files/sharing.ts';
import { imMessage, messageText } from './im.ts';
import { roomName } from '../rooms/schemas.ts';
import type { OpDef } from './define.ts';

/** Seconds a link may live at most: about ten years. */
export const MAX_LINK_SECONDS = 10 * 366 * 24 * 3600;

const content = z.strictObject({
  entry: fileEntry,
  version: z.number().int(),
  size: z.number().int(),
  hash: z.string(),
  chunks: z.array(chunkRef.extend({ offset: z.number().int() })),
  more: z.boolean(),
});

/**
 * Sharing, links, publishing and sending files. Only an item's owner shares it, links it or
 * publishes it (a grantee, even with write access, cannot pass it on: copy it into your own
 * files first). Items shared with me are named by id or by "~owner/path" (see sharedPath);
 * every files operation accepts them as far as the grant allows, and an item I may not access
 * answers not_found exactly like one that does not exist.
 */
export const filesSharingOps = {
  /**
   * Shares one of my items with the users `with` and/or the buddies of my group `group`, for
   * `access` (default read). Sharing again with a grantee changes their access. A user who
   * does not exist answers not_found, as does a group I do not have.
   */
  'files.share': {
    app: 'files',
    access: 'user',
    input: z
      .strictObject({ target: fileRef, with: z.array(userName).min(1).max(100).optional(), group: groupName.optional(), access: shareAccess.optional() })
      .refine((input) => input.with !== undefined || input.group !== undefined, 'name who to share with: `with` (user names) and/or `group`'),
    output: z.strictObject({ shares: z.array(share) }),
  },
  /** Ends grants on one of my items: for the users `with`, the group `group`, or (`all`) every one. Links and publishing stay. */
  'files.unshare': {
    app: 'files',
    access: 'user',
    input: z
      .strictObject({ target: fileRef, with: z.array(userName).min(1).max(100).optional(), group: groupName.optional(), room: roomName.optional(), all: z.literal(true).optional() })
      .refine((input) => input.with !== undefined || input.group !== undefined || input.room !== undefined || input.all === true, 'name whose grant to end: `with`, `group`, `room`, or `all: true`'),
    output: z.strictObject({ removed: z.number().int() }),
  },
  /** Who one of my items is shared with, its links, and whether it is published. */
  'files.shares': {
    app: 'files',
    access: 'user',
    readonly: true,
    input: z.strictObject({ target: fileRef }),
    output: z.strictObject({ shares: z.array(share), links: z.array(fileLink), published: z.boolean() }),
  },
  /** What others shared with me (the tops of the grants, not what is inside shared folders), newest first. */
  'files.shared': {
    app: 'files',
    access: 'user',
    readonly: true,
    input: z.strictObject({ limit: pageLimit.optional(), cursor: fileCursor.optional() }),
    output: z.strictObject({ items: z.array(sharedItem), next: z.string().optional() }),
  },
  /**
   * Makes a link to one of my files or folders that anyone holding it can read without an
   * account: GET /v1/files/links/<token> (a file's bytes, or a folder's listing as JSON) and
   * /v1/files/links/<token>/<path inside the folder>. With `password`, a reader must give it
   * (header `x-pod-link-password`, or HTTP Basic with any user name). `expiresIn` (seconds)
   * or `expiresAt` ends it. The token is answered only here.
   */
  'files.link.create': {
    app: 'files',
    access: 'user',
    input: z
      .strictObject({ target: fileRef, password: linkPassword.optional(), expiresIn: z.number().int().min(1).max(MAX_LINK_SECONDS).optional(), expiresAt: isoTime.optional() })
      .refine((input) => input.expiresIn === undefined || input.expiresAt === undefined, 'give expiresIn or expiresAt, not both'),
    output: z.strictObject({ link: fileLink, token: linkToken, url: z.string() }),
  },
  /** Ends a link of mine at once. */
  'files.link.revoke': { app: 'files', access: 'user', input: z.strictObject({ id: nodeId }), output: z.strictObject({}) },
  /** My links (of one item with `target`), newest first; expired ones are listed until revoked. */
  'files.links': {
    app: 'files',
    access: 'user',
    readonly: true,
    input: z.strictObject({ target: fileRef.optional(), limit: pageLimit.optional(), cursor: fileCursor.optional() }),
    output: z.strictObject({ links: z.array(fileLink), next: z.string().optional() }),
  },
  /**
   * The gateway serves a link (no session): the item at `path` inside the link's item ("/" is
   * the item itself), checked against the link's password and expiry here. A file answers its
   * content page (as files.content, from `offset`); a folder a page of its items. An unknown
   * or revoked token is not_found, an expired one not_found saying so, a missing or wrong
   * password unauthorized.
   */
  'files.link.open': {
    app: 'files',
    access: 'internal',
    readonly: true,
    input: z.strictObject({
      token: linkToken,
      password: linkPassword.optional(),
      path: filePath.optional(),
      version: nodeId.optional(),
      offset: byteCount.optional(),
      limit: pageLimit.optional(),
      cursor: fileCursor.optional(),
    }),
    output: z.discriminatedUnion('kind', [
      content.extend({ kind: z.literal('file') }),
      z.strictObject({ kind: z.literal('folder'), folder: fileEntry, path: z.string(), entries: z.array(fileEntry), next: z.string().optional() }),
    ]),
  },
  /** Makes one of my items readable by every signed-in user of the pod, listed in the pod universe. */
  'files.publish': { app: 'files', access: 'user', input: z.strictObject({ target: fileRef }), output: z.strictObject({ entry: fileEntry, path: z.string() }) },
  'files.unpublish': { app: 'files', access: 'user', input: z.strictObject({ target: fileRef }), output: z.strictObject({ removed: z.boolean() }) },
  /**
   * The pod universe: users who published something, by name, each with their public profile
   * and their first published items (`more` if there are others); with `user`, only that user,
   * their items paged by `cursor`.
   */
  'files.universe': {
    app: 'files',
    access: 'user',
    readonly: true,
    input: z.strictObject({ user: userName.optional(), limit: pageLimit.optional(), cursor: fileCursor.optional() }),
    output: z.strictObject({ users: z.array(universeUser), next: z.string().optional() }),
  },
  /**
   * Sends one of my files to `to`: shares it with them for reading and posts an instant
   * message (`text`, or the file's name) carrying it as an attachment, in one request. Served
   * by the im app (the message is its effect); a retry with the same request id shares and
   * posts nothing twice.
   */
  'files.send': {
    app: 'im',
    access: 'user',
    input: z.strictObject({ to: userName, target: fileRef, text: messageText.optional() }),
    output: imMessage,
  },
  /**
   * The im and rooms apps attach files to a message from `fromId`: each must be the sender's
   * own file (not_found otherwise), and `to` (the recipient, or the room's members) gets read
   * access to it (a grant already there stays as it is). Idempotent, so a retried message
   * grants nothing twice.
   */
  'files.attach': {
    app: 'files',
    access: 'internal',
    input: z.strictObject({ fromId: z.number().int(), fromName: userName, to: attachmentAudience, files: attachmentRefs }),
    output: z.strictObject({ attachments: z.array(fileAttachment) }),
  },
} as const satisfies Record<string, OpDef>;
