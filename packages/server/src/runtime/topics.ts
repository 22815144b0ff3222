import { z } from 'zod';

/**
 * Announcement topics shared between application servers (WriteScope.announce). They say what
 * changed, never its new state, so a listener reads that from the store.
 */
export const topics = {
  /** Who may message whom changed: buddies, blocks, message settings, disabled accounts. */
  relationsChanged: 'directory.relations',
  /** What others see of these users' presence changed (announced after the commit that recorded it). */
  presenceChanged: 'presence.changed',
} as const;

/** The payload of `relationsChanged`: the users whose buddy relations changed. */
export const relationsChangedPayload = z.strictObject({ userIds: z.array(z.number().int()) });

/** The payload of `presenceChanged`: the users whose presence others now see differently. */
export const presenceChangedPayload = z.strictObject({ userIds: z.array(z.number().int()) });
