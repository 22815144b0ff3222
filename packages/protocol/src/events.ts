import { z } from 'zod';
import { userName } from './common.ts';
import { buddyEntry } from './ops/directory.ts';
import { presenceEntry } from './ops/presence.ts';
import { imMessage } from './ops/im.ts';
import { fileEntry } from './files/schemas.ts';
import { announcement } from './ops/announcements.ts';

/**
 * Every event a client can receive. Stored events carry a mailbox `seq`; transient ones
 * (presence) are pushed live only and never replayed.
 */
export const eventBodies = {
  'im.message': imMessage,
  'im.receipt': z.strictObject({ ids: z.array(z.string()), kind: z.enum(['delivered', 'read']), by: userName, at: z.string() }),
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
} as const;

export const transientEventTypes = new Set<EventType>(['presence']);

export type EventType = keyof typeof eventBodies;
export type EventBody<T extends EventType> = z.infer<(typeof eventBodies)[T]>;
export type PodEvent = { [T in EventType]: { seq?: number; type: T; body: EventBody<T> } }[EventType];
