import { z } from 'zod';
import { pageLimit, userName } from '../common.ts';
import { emoji, moderationReason, myRoom, retentionDays, room, roomBan, roomHistory, roomInvitation, roomKind, roomMember, roomMemberWithPresence, roomMessage, roomName, roomRole, roomTopic } from '../rooms/schemas.ts';
import { attachmentRefs } from '../files/sharing.ts';
import { messageText } from './im.ts';
import type { OpDef } from './define.ts';

const empty = z.strictObject({});
const inRoom = z.strictObject({ room: roomName });
const someone = z.strictObject({ room: roomName, user: userName });
const messageId = z.string().min(1).max(64);

/**
 * Rooms: one resource with a `kind`. What a caller may not see answers `not_found` (a private
 * room to an outsider); what they may see but not do answers `forbidden`.
 */
export const roomsOps = {
  /** Creates a room; the creator is its owner. */
  'rooms.create': {
    app: 'rooms',
    access: 'user',
    input: z.strictObject({ name: roomName, topic: roomTopic.default(''), kind: roomKind.default('public'), history: roomHistory.default('all') }),
    output: myRoom,
  },
  /** The rooms I am in (with unread counts) and my pending invitations. */
  'rooms.list': {
    app: 'rooms',
    access: 'user',
    readonly: true,
    input: empty,
    output: z.strictObject({ rooms: z.array(myRoom), invitations: z.array(roomInvitation) }),
  },
  /** The room directory: public rooms, biggest first, optionally whose name or topic contains `query`. */
  'rooms.directory': {
    app: 'rooms',
    access: 'user',
    readonly: true,
    input: z.strictObject({ query: z.string().trim().max(100).optional(), limit: pageLimit.optional() }),
    output: z.strictObject({ rooms: z.array(room) }),
  },
  'rooms.join': { app: 'rooms', access: 'user', input: inRoom, output: myRoom },
  /** The last owner must hand the room over (rooms.role) first. */
  'rooms.leave': { app: 'rooms', access: 'user', input: inRoom, output: empty },
  /** Invites `user`: any member of a public room; a moderator or above of a private one. */
  'rooms.invite': { app: 'rooms', access: 'user', input: someone, output: empty },
  'rooms.accept': { app: 'rooms', access: 'user', input: inRoom, output: myRoom },
  'rooms.decline': { app: 'rooms', access: 'user', input: inRoom, output: empty },
  /** Moderators and above, on members below their own role. */
  'rooms.kick': { app: 'rooms', access: 'user', input: someone.extend({ reason: moderationReason.default('') }), output: empty },
  /** Keeps `user` out (and removes them) until rooms.unban. */
  'rooms.ban': { app: 'rooms', access: 'user', input: someone.extend({ reason: moderationReason.default('') }), output: empty },
  'rooms.unban': { app: 'rooms', access: 'user', input: someone, output: empty },
  /** A muted member reads but cannot send, until unmuted. */
  'rooms.mute': { app: 'rooms', access: 'user', input: someone, output: roomMember },
  'rooms.unmute': { app: 'rooms', access: 'user', input: someone, output: roomMember },
  /** Admins set roles up to admin on members below admin; owners set any role, owner included. */
  'rooms.role': { app: 'rooms', access: 'user', input: someone.extend({ role: roomRole }), output: roomMember },
  /** Admins change the topic, kind and history setting; owners also the retention. */
  'rooms.update': {
    app: 'rooms',
    access: 'user',
    input: z.strictObject({ room: roomName, topic: roomTopic.optional(), kind: roomKind.optional(), history: roomHistory.optional(), retentionDays: retentionDays.optional() }),
    output: room,
  },
  /** Members with their presence; moderators also get the ban list. */
  'rooms.members': {
    app: 'rooms',
    access: 'user',
    readonly: true,
    input: inRoom,
    output: z.strictObject({ members: z.array(roomMemberWithPresence), banned: z.array(roomBan).optional() }),
  },
  /**
   * Says something in a room, with `attachments`: files of mine (ids or paths), which every
   * member of the room may then read while they are a member (files.attach).
   */
  'rooms.send': {
    app: 'rooms',
    access: 'user',
    input: z.strictObject({ room: roomName, text: messageText, replyTo: messageId.optional(), attachments: attachmentRefs.optional() }),
    output: roomMessage,
  },
  /** Oldest first within a page; `before` an order. A member who joined a `joined`-history room sees from their joining on. */
  'rooms.history': {
    app: 'rooms',
    access: 'user',
    readonly: true,
    input: z.strictObject({ room: roomName, before: z.number().int().optional(), limit: pageLimit.optional() }),
    output: z.strictObject({ messages: z.array(roomMessage), more: z.boolean() }),
  },
  /** The author changes their message; it is marked edited and its earlier text kept for moderators. */
  'rooms.edit': { app: 'rooms', access: 'user', input: z.strictObject({ id: messageId, text: messageText }), output: roomMessage },
  /** Deletes a message for everyone: its author, or a moderator of the room. */
  'rooms.delete': { app: 'rooms', access: 'user', input: z.strictObject({ id: messageId }), output: empty },
  /** The earlier texts of an edited message, oldest first: for moderators and above. */
  'rooms.edits': {
    app: 'rooms',
    access: 'user',
    readonly: true,
    input: z.strictObject({ id: messageId }),
    output: z.strictObject({ edits: z.array(z.strictObject({ text: z.string(), at: z.string() })) }),
  },
  /** Adds my reaction (or with `remove`, takes it back); doing it twice changes nothing. */
  'rooms.react': {
    app: 'rooms',
    access: 'user',
    input: z.strictObject({ id: messageId, emoji, remove: z.boolean().default(false) }),
    output: roomMessage,
  },
  /** Tells the other members' connected devices I am typing: never stored, never replayed. */
  'rooms.typing': { app: 'rooms', access: 'user', readonly: true, input: inRoom, output: empty },
  /** Moves my read marker forward to `order` (never back); every device of mine gets the new count. */
  'rooms.read': {
    app: 'rooms',
    access: 'user',
    input: z.strictObject({ room: roomName, order: z.number().int().nonnegative() }),
    output: z.strictObject({ readOrder: z.number().int(), unread: z.number().int() }),
  },
  /** The room's whole stored history as JSON, for its owners: settings, members and every message kept. */
  'rooms.export': {
    app: 'rooms',
    access: 'user',
    readonly: true,
    input: inRoom,
    output: z.strictObject({ room, exportedAt: z.string(), members: z.array(roomMember), messages: z.array(roomMessage) }),
  },
  /** The rooms `userId` is a member of now, by id: what the files app's room grants need. */
  'rooms.memberships': {
    app: 'rooms',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ userId: z.number().int() }),
    output: z.strictObject({ rooms: z.array(z.number().int()) }),
  },
} as const satisfies Record<string, OpDef>;
