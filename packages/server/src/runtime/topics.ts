/**
 * Announcement topics shared between application servers (WriteScope.announce). They carry
 * "something changed", never data, so a listener refetches from the store.
 */
export const topics = {
  /** Who may message whom changed: buddies, blocks, message settings, disabled accounts. */
  relationsChanged: 'directory.relations',
} as const;
