import { z } from 'zod';
import { presenceStatus, userName } from '../common.ts';
import { fileAttachment } from '../files/sharing.ts';

/** Room names share nothing with user names but their shape; `#` is the clients' way to tell them apart. */
export const roomName = z
  .string()
  .trim()
  .toLowerCase()
  .transform((name) => (name.startsWith('#') ? name.slice(1) : name))
  .pipe(z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a room name is 1-64 characters of a-z, 0-9, "_", "." or "-", starting with a letter or digit (a leading "#" is dropped)'));

/** `public`: listed in the room directory, anyone may join; `private`: by invitation only. */
export const roomKind = z.enum(['public', 'private']);
export type RoomKind = z.infer<typeof roomKind>;

/** Highest first: each role may do what the ones below it may. */
export const roomRole = z.enum(['owner', 'admin', 'moderator', 'member']);
export type RoomRole = z.infer<typeof roomRole>;

/** What a joiner sees of the past: `all` of it, or only what was said since `joined`. */
export const roomHistory = z.enum(['all', 'joined']);
export type RoomHistory = z.infer<typeof roomHistory>;

export const roomTopic = z.string().trim().max(500, 'a topic has at most 500 characters');
export const moderationReason = z.string().trim().max(500, 'a reason has at most 500 characters');
/** Days a room keeps its messages; null keeps everything. */
export const retentionDays = z.number().int().min(1).max(36_500).nullable();

/** A room as anyone allowed to know of it sees it. */
export const room = z.strictObject({
  name: z.string(),
  topic: z.string(),
  kind: roomKind,
  history: roomHistory,
  retentionDays: z.number().int().nullable(),
  /** Joined members. */
  members: z.number().int(),
  createdAt: z.string(),
});
export type Room = z.infer<typeof room>;

/** A room I am in, with my place in it. */
export const myRoom = room.extend({
  role: roomRole,
  muted: z.boolean(),
  /** The order of the last message I have read (my read marker); 0 before any. */
  readOrder: z.number().int(),
  /** Messages after my read marker, from others, not deleted: the same on every device of mine. */
  unread: z.number().int(),
});
export type MyRoom = z.infer<typeof myRoom>;

/** An invitation to a room, as its invitee sees it. */
export const roomInvitation = z.strictObject({ room: z.string(), topic: z.string(), kind: roomKind, by: userName, at: z.string() });
export type RoomInvitation = z.infer<typeof roomInvitation>;

export const roomMember = z.strictObject({
  name: userName,
  role: roomRole,
  muted: z.boolean(),
  joinedAt: z.string(),
});
export type RoomMember = z.infer<typeof roomMember>;

/** A member as the member list shows them: with what others see of their presence now. */
export const roomMemberWithPresence = roomMember.extend({ presence: presenceStatus });
export type RoomMemberWithPresence = z.infer<typeof roomMemberWithPresence>;

/** Someone kept out of a room until a moderator lifts it. */
export const roomBan = z.strictObject({ name: userName, by: userName, reason: z.string(), at: z.string() });
export type RoomBan = z.infer<typeof roomBan>;

const utf8 = new TextEncoder();
/**
 * A reaction is any emoji, including sequences (skin tones, flags, joined families, keycaps):
 * emoji code points and their joiners only, with at least one beyond ASCII so "1" or "#" are not one.
 */
export const emoji = z
  .string()
  .refine((text) => utf8.encode(text).length <= 64 && /^[\p{Emoji}\p{Emoji_Component}\u200d\ufe0f\u20e3]+$/u.test(text) && /[^\x00-\x7f]/.test(text), 'a reaction is one emoji (at most 64 bytes)');

/** One emoji's reactions on a message: who, in the order they reacted. */
export const reaction = z.strictObject({ emoji: z.string(), count: z.number().int(), users: z.array(userName) });
export type Reaction = z.infer<typeof reaction>;

/** The message a reply answers, quoted as it is now (empty once deleted). */
export const replyQuote = z.strictObject({ id: z.string(), from: userName, text: z.string(), deleted: z.boolean() });
export type ReplyQuote = z.infer<typeof replyQuote>;

export const roomMessage = z.strictObject({
  id: z.string(),
  room: z.string(),
  from: userName,
  /** The latest text; empty once deleted. */
  text: z.string(),
  at: z.string(),
  /** Server-assigned order in the room; history pages by it. */
  order: z.number().int(),
  replyTo: replyQuote.nullable(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  /** Members named with `@name` (and `room` for `@room`), as they were notified. */
  mentions: z.array(z.string()),
  reactions: z.array(reaction),
  attachments: z.array(fileAttachment).optional(),
});
export type RoomMessage = z.infer<typeof roomMessage>;

/** How a membership changed; `member` in the event is the row as it is now (null once gone). */
export const memberChange = z.enum(['joined', 'left', 'kicked', 'banned', 'unbanned', 'role', 'muted', 'unmuted']);
export type MemberChange = z.infer<typeof memberChange>;
