export * from './errors.ts';
export * from './common.ts';
export * from './events.ts';
export * from './frames.ts';
export * from './ops/index.ts';
export { sessionInfo } from './ops/auth.ts';
export { profile, buddyEntry, buddyList, messagePolicy, type Profile, type BuddyEntry, type BuddyList } from './ops/directory.ts';
export { presenceEntry, type PresenceEntry } from './ops/presence.ts';
export { imMessage, MAX_MESSAGE_BYTES, type ImMessage } from './ops/im.ts';
