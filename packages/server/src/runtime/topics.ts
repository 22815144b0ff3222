import { z } from 'zod';

/**
 * Announcement topics shared between application servers (WriteScope.announce). They say what
 * changed, never its new state, so a listener reads that from the store.
 */
export const topics = {
  /** Who may message whom changed: buddies, blocks, message settings, disabled accounts. */
  relationsChanged: 'directory.relations',
} as const;

/** The payload of `relationsChanged`: the users whose buddy relations changed. */
export const relationsChangedPayload = z.strictObject({ userIds: z.array(z.number().int()) });
