import { z } from 'zod';
import { displayName, groupName, pageLimit, statusText, userName, userSummary } from '../common.ts';
import { skin } from '../skin.ts';
import type { OpDef } from './define.ts';

export const profile = z.strictObject({
  name: userName,
  displayName: z.string(),
  statusText: z.string(),
  about: z.string(),
});
export type Profile = z.infer<typeof profile>;

/**
 * One row of a buddy list. `buddy`: accepted both ways, presence shared. `outgoing`: I asked,
 * they have not answered. `incoming`: they asked me.
 */
export const buddyEntry = z.strictObject({
  name: userName,
  displayName: z.string(),
  group: z.string(),
  state: z.enum(['buddy', 'outgoing', 'incoming']),
});
export type BuddyEntry = z.infer<typeof buddyEntry>;

/**
 * A buddy list, each array sorted by `compareNames`. `groups`: the groups I named (kept while
 * empty) and those my rows use. Disabled accounts are left out until enabled again.
 */
export const buddyList = z.strictObject({
  buddies: z.array(buddyEntry),
  groups: z.array(z.string()),
  blocked: z.array(userName),
});
export type BuddyList = z.infer<typeof buddyList>;

export const messagePolicy = z.enum(['buddies', 'anyone']);

const userSettings = z.strictObject({ messagesFrom: messagePolicy, skin: skin.nullable() });

const byName = z.strictObject({ name: userName });
const empty = z.strictObject({});

export const directoryOps = {
  /** Whether any account exists yet: the pod application shows a first-run page until one does. */
  'directory.setup': { app: 'directory', access: 'public', readonly: true, input: empty, output: z.strictObject({ accounts: z.boolean() }) },
  'profile.get': { app: 'directory', access: 'user', readonly: true, input: z.strictObject({ name: userName.optional() }), output: profile },
  /** Changes the fields given; an empty display name goes back to the account name. */
  'profile.update': {
    app: 'directory',
    access: 'user',
    input: z.strictObject({ displayName: displayName.optional(), statusText: statusText.optional(), about: z.string().max(4000, 'about has at most 4000 characters').optional() }),
    output: profile,
  },
  /**
   * Enabled users whose name, display name or about text contains `query` (any case), by
   * name. `next` is an opaque cursor for the following page, present while more remain.
   */
  'directory.search': {
    app: 'directory',
    access: 'user',
    readonly: true,
    input: z.strictObject({ query: z.string().trim().max(100, 'a search has at most 100 characters'), limit: pageLimit.optional(), cursor: z.string().max(200).optional() }),
    output: z.strictObject({ users: z.array(userSummary.extend({ about: z.string(), statusText: z.string() })), next: z.string().optional() }),
  },
  /** My own settings, seen by nobody else; `skin` is the pod application's look (null: the default). */
  'settings.get': { app: 'directory', access: 'user', readonly: true, input: empty, output: userSettings },
  /** Changes the fields given. */
  'settings.update': { app: 'directory', access: 'user', input: z.strictObject({ messagesFrom: messagePolicy.optional(), skin: skin.nullable().optional() }), output: userSettings },
  'buddies.list': { app: 'directory', access: 'user', readonly: true, input: empty, output: buddyList },
  /** Asks `name` to be a buddy (an outgoing row for me, an incoming one for them); if they asked first, accepts. */
  'buddies.add': { app: 'directory', access: 'user', input: z.strictObject({ name: userName, group: groupName.optional() }), output: buddyEntry },
  /** Accepts `name`'s request: both rows become `buddy`; mine lands in `group` if given. */
  'buddies.accept': { app: 'directory', access: 'user', input: z.strictObject({ name: userName, group: groupName.optional() }), output: buddyEntry },
  'buddies.decline': { app: 'directory', access: 'user', input: byName, output: empty },
  /** Ends a friendship or withdraws a request, on both lists. */
  'buddies.remove': { app: 'directory', access: 'user', input: byName, output: empty },
  /** Ends any friendship or request both ways; the blocked user's later requests and messages never reach me, and they are not told. */
  'buddies.block': { app: 'directory', access: 'user', input: byName, output: empty },
  'buddies.unblock': { app: 'directory', access: 'user', input: byName, output: empty },
  'buddies.move': { app: 'directory', access: 'user', input: z.strictObject({ name: userName, group: groupName }), output: buddyEntry },
  /** Renames a group; renaming into an existing group merges the two. Answers my groups. */
  'buddies.renameGroup': { app: 'directory', access: 'user', input: z.strictObject({ from: groupName, to: groupName }), output: z.strictObject({ groups: z.array(z.string()) }) },
  /** May `fromId` message `to`? Answers not_found/forbidden exactly as the sender should see them. */
  'directory.canMessage': {
    app: 'directory',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ fromId: z.number().int(), to: userName }),
    output: z.strictObject({ toId: z.number().int(), toName: userName, fromName: userName }),
  },
  /** The users who may see `userId`'s presence: accepted buddies, never blocked ones. */
  'directory.watchers': {
    app: 'directory',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ userId: z.number().int() }),
    output: z.strictObject({ name: userName, watchers: z.array(z.strictObject({ id: z.number().int(), name: userName })) }),
  },
  /** Users by name (enabled accounts only; unknown names are left out), for apps that name people. */
  'directory.lookup': {
    app: 'directory',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ names: z.array(userName).max(200).optional(), ids: z.array(z.number().int()).max(200).optional() }),
    output: z.strictObject({ users: z.array(z.strictObject({ id: z.number().int(), name: userName })) }),
  },
  /** The accepted buddies `ownerId` keeps in `group` (not_found if they have no such group). */
  'directory.groupMembers': {
    app: 'directory',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ ownerId: z.number().int(), group: groupName }),
    output: z.strictObject({ members: z.array(z.strictObject({ id: z.number().int(), name: userName })) }),
  },
  /** The groups `userId` is in, as an accepted buddy, on other users' buddy lists. */
  'directory.memberships': {
    app: 'directory',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ userId: z.number().int() }),
    output: z.strictObject({ memberships: z.array(z.strictObject({ ownerId: z.number().int(), group: z.string() })) }),
  },
  /** Ids of enabled users above `after`, ascending, a page at a time (`next`: the `after` of the following page), for apps that tell everyone. */
  'directory.userIds': {
    app: 'directory',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ after: z.number().int().nonnegative(), limit: z.number().int().min(1).max(10_000) }),
    output: z.strictObject({ ids: z.array(z.number().int()), next: z.number().int().optional() }),
  },
  /** Public profiles of enabled users by id (others left out). */
  'directory.profiles': {
    app: 'directory',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ ids: z.array(z.number().int()).max(200) }),
    output: z.strictObject({ profiles: z.array(profile.extend({ id: z.number().int() })) }),
  },
} as const satisfies Record<string, OpDef>;
