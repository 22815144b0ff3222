import { z } from 'zod';
import { presenceStatus, userName } from './common.ts';
import { buddyEntry } from './ops/directory.ts';
import { presenceEntry } from './ops/presence.ts';
import { imMessage } from './ops/im.ts';
import { fileEntry } from './files/schemas.ts';
import { announcement } from './ops/announcements.ts';
import { memberChange, myRoom, room, roomInvitation, roomMember, roomMessage } from './rooms/schemas.ts';

/**
 * Every event a client can receive. Stored events carry a mailbox `seq`; transient ones
 * (presence) are pushed live only and never replayed.
 */
export const eventBodies = {
  'im.message': imMessage,
  'im.receipt': z.strictObject({ ids: z.array(z.string()), kind: z.enum(['delivered', 'read']), by: userName, at: z.string() }),
  'im.edited': z.strictObject({ id: z.string(), from: userName, to: userName, text: z.string(), editedAt: z.string() }),
  'im.deleted': z.strictObject({ id: z.string(), from: userName, to: userName, at: z.string() }),
  /** One reaction added or taken back on a message between `from` and `to`. */
  'im.reaction': z.strictObject({ id: z.string(), from: userName, to: userName, emoji: z.string(), user: userName, added: z.boolean() }),
  /** Transient: `from` is typing to me. */
  'im.typing': z.strictObject({ from: userName }),
  /** A buddy-list row appeared, changed, or (entry null) went away. */
  'buddy.entry': z.strictObject({ name: userName, entry: buddyEntry.nullable() }),
  'buddy.groups': z.strictObject({ groups: z.array(z.string()) }),
  'buddy.blocked': z.strictObject({ name: userName, blocked: z.boolean() }),
  presence: presenceEntry,
  /**
   * My file tree changed (on any of my devices): `entries` as they are now (a trashed one has
   * `trashedAt`), `removed` the ids deleted for good, each with everything that was inside it.
   */
  'files.changed': z.strictObject({ entries: z.array(fileEntry), removed: z.array(z.number().int()) }),
  /** An administrator posted an announcement (to every user). */
  'announcement.posted': announcement,
  /** I dismissed an announcement on one of my devices: the others hide it too. */
  'announcement.dismissed': z.strictObject({ id: z.number().int().positive() }),
  /** An administrator removed an announcement. */
  'announcement.removed': z.strictObject({ id: z.number().int().positive() }),
  /** A message in a room I am in (my own too, for my other devices). */
  'room.message': roomMessage,
  'room.edited': z.strictObject({ room: z.string(), id: z.string(), text: z.string(), editedAt: z.string(), mentions: z.array(z.string()) }),
  /** A message deleted for everyone; `order` and `from` let a client correct its unread count. */
  'room.deleted': z.strictObject({ room: z.string(), id: z.string(), order: z.number().int(), from: userName, by: userName, at: z.string() }),
  /**
   * Messages of a room reached the end of its retention period and are gone for everyone:
   * drop them, and quotes of them, from what is shown. Also what the events that carried
   * them became in every mailbox, at the same seqs.
   */
  'room.expired': z.strictObject({ room: z.string(), ids: z.array(z.string()) }),
  /** One reaction added or taken back. */
  'room.reaction': z.strictObject({ room: z.string(), id: z.string(), emoji: z.string(), user: userName, added: z.boolean() }),
  /**
   * A membership changed: to the room's members and to the person concerned. `member` is their
   * row now, null once they are out; `members` the room's count after the change. The person
   * concerned, while in the room, also gets the room as they now see it in `mine`.
   */
  'room.member': z.strictObject({
    room: z.string(),
    name: userName,
    change: memberChange,
    member: roomMember.nullable(),
    members: z.number().int(),
    by: userName.nullable(),
    reason: z.string(),
    mine: myRoom.optional(),
  }),
  /** The room's settings changed (topic, kind, history, retention). */
  'room.updated': room,
  /** I was invited (`pending`), or my invitation was answered or withdrawn on some device (`closed`). */
  'room.invitation': z.strictObject({ invitation: roomInvitation, state: z.enum(['pending', 'closed']) }),
  /** My read marker moved (on any of my devices). */
  'room.read': z.strictObject({ room: z.string(), readOrder: z.number().int(), unread: z.number().int() }),
  /** Someone named me (or `@room`) in a message. */
  'room.mention': z.strictObject({ room: z.string(), id: z.string(), from: userName, text: z.string() }),
  /** Transient: what members of rooms I am in now see of someone's presence. */
  'room.presence': z.strictObject({ name: userName, status: presenceStatus }),
  /** Transient: a member is typing. */
  'room.typing': z.strictObject({ room: z.string(), name: userName }),
} as const;

export const transientEventTypes = new Set<EventType>(['presence', 'room.typing', 'room.presence', 'im.typing']);

export type EventType = keyof typeof eventBodies;
export type EventBody<T extends EventType> = z.infer<(typeof eventBodies)[T]>;
export type PodEvent = { [T in EventType]: { seq?: number; type: T; body: EventBody<T> } }[EventType];
