import { PodError, type BuddyEntry } from '@pod/protocol';
import type { Transaction } from 'kysely';
import type { Caller } from '../../messenger/messenger.ts';
import type { AppOps, WriteScope } from '../../runtime/app.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { findUserByName, type UserRow } from './accounts.repo.ts';
import {
  addBlock,
  blockedNames,
  deletePair,
  DEFAULT_GROUP,
  findRow,
  groupsOf,
  insertRow,
  keepGroup,
  listRows,
  removeBlock,
  renameGroup,
  rowsInGroup,
  toEntry,
  updateRow,
  type BuddyRow,
} from './buddies.repo.ts';
import { BuddyChanges } from './buddy-changes.ts';
import { isBlocked } from './relations.repo.ts';

type Tx = Transaction<DirectoryTables>;
type Scope = WriteScope<DirectoryTables>;

/** The other user of a buddy operation: never the caller, never an unknown or disabled account. */
async function otherUser(tx: Tx, caller: Caller, name: string, ifSelf: string): Promise<UserRow> {
  if (name === caller.name) throw new PodError('invalid', ifSelf);
  const user = await findUserByName(tx, name);
  if (!user || user.disabled === 1) throw new PodError('not_found', `no user named ${name}`);
  return user;
}

async function myRow(tx: Tx, caller: Caller, other: UserRow): Promise<BuddyRow> {
  const row = await findRow(tx, caller.userId, other.id);
  if (!row) throw new PodError('not_found', `${other.name} is not on your buddy list`);
  return row;
}

/** Makes both rows `buddy`; the caller's lands in `group`, or stays where it was. */
async function befriend(scope: Scope, changes: BuddyChanges, caller: Caller, other: UserRow, group: string | undefined): Promise<BuddyEntry> {
  const mine = await findRow(scope.tx, caller.userId, other.id);
  const myGroup = group ?? mine?.group ?? DEFAULT_GROUP;
  if (mine) await updateRow(scope.tx, caller.userId, other.id, { state: 'buddy', group: myGroup });
  else await insertRow(scope.tx, { ownerId: caller.userId, otherId: other.id, group: myGroup, state: 'buddy', now: scope.now });
  await updateRow(scope.tx, other.id, caller.userId, { state: 'buddy' });
  changes.relationsChanged(caller.userId, other.id);
  await changes.row(other.id, caller.userId, caller.name);
  const entry = await changes.row(caller.userId, other.id, other.name);
  await changes.emit();
  return entry!;
}

/** Deletes the rows between the caller and `other`, telling each owner whose row existed. */
async function dropPair(scope: Scope, changes: BuddyChanges, caller: Caller, other: UserRow): Promise<void> {
  const [mine, theirs] = await Promise.all([findRow(scope.tx, caller.userId, other.id), findRow(scope.tx, other.id, caller.userId)]);
  await deletePair(scope.tx, caller.userId, other.id);
  changes.relationsChanged(caller.userId, other.id);
  if (mine) changes.entry(caller.userId, other.name, null);
  if (theirs) changes.entry(other.id, caller.name, null);
}

/**
 * Buddy lists: mutual subscriptions with named groups. A request makes an `outgoing` row for
 * the asker and an `incoming` one for the asked; accepting makes both `buddy`. Each change is
 * emitted to every device of both owners (BuddyChanges).
 */
export const buddiesOps: AppOps<DirectoryTables> = {
  'buddies.list': {
    async read(_input, request, ctx) {
      const me = request.caller!.userId;
      const [rows, groups, blocked] = await Promise.all([listRows(ctx.db, me), groupsOf(ctx.db, [me]), blockedNames(ctx.db, me)]);
      return { buddies: rows.map(toEntry), groups: groups.get(me) ?? [], blocked };
    },
  },
  'buddies.add': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const other = await otherUser(scope.tx, caller, input.name, 'you cannot add yourself as a buddy');
      if (await isBlocked(scope.tx, caller.userId, other.id)) throw new PodError('forbidden', `you blocked ${other.name}; unblock them first`);
      const mine = await findRow(scope.tx, caller.userId, other.id);
      if (mine?.state === 'buddy') throw new PodError('conflict', `${other.name} is already your buddy`);
      if (mine?.state === 'outgoing') throw new PodError('conflict', `you already asked ${other.name}; they have not answered yet`);
      const changes = await BuddyChanges.begin(scope, [caller.userId, other.id]);
      if (input.group !== undefined) await keepGroup(scope.tx, caller.userId, input.group);
      // They asked first (perhaps unseen, while blocked): asking them back is accepting.
      const theirs = await findRow(scope.tx, other.id, caller.userId);
      if (theirs?.state === 'outgoing') return befriend(scope, changes, caller, other, input.group);
      await insertRow(scope.tx, { ownerId: caller.userId, otherId: other.id, group: input.group ?? DEFAULT_GROUP, state: 'outgoing', now: scope.now });
      // A blocked asker is answered as if the request went out; the blocker never learns of it.
      if (!(await isBlocked(scope.tx, other.id, caller.userId))) {
        await insertRow(scope.tx, { ownerId: other.id, otherId: caller.userId, group: DEFAULT_GROUP, state: 'incoming', now: scope.now });
        await changes.row(other.id, caller.userId, caller.name);
      }
      const entry = await changes.row(caller.userId, other.id, other.name);
      await changes.emit();
      return entry!;
    },
  },
  'buddies.accept': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const other = await otherUser(scope.tx, caller, input.name, 'you cannot accept yourself as a buddy');
      const mine = await findRow(scope.tx, caller.userId, other.id);
      if (mine?.state === 'buddy') throw new PodError('conflict', `${other.name} is already your buddy`);
      if (mine?.state !== 'incoming') throw new PodError('conflict', `${other.name} has not asked to be your buddy; send them a request with buddies.add`);
      const changes = await BuddyChanges.begin(scope, [caller.userId, other.id]);
      if (input.group !== undefined) await keepGroup(scope.tx, caller.userId, input.group);
      return befriend(scope, changes, caller, other, input.group);
    },
  },
  'buddies.decline': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const other = await otherUser(scope.tx, caller, input.name, 'you cannot decline yourself');
      const mine = await findRow(scope.tx, caller.userId, other.id);
      if (mine?.state !== 'incoming') throw new PodError('conflict', `there is no buddy request from ${other.name} to decline`);
      const changes = await BuddyChanges.begin(scope, [caller.userId, other.id]);
      await dropPair(scope, changes, caller, other);
      await changes.emit();
      return {};
    },
  },
  /** Ends a friendship or withdraws a request, on both lists. */
  'buddies.remove': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const other = await otherUser(scope.tx, caller, input.name, 'you are not on your own buddy list');
      await myRow(scope.tx, caller, other);
      const changes = await BuddyChanges.begin(scope, [caller.userId, other.id]);
      await dropPair(scope, changes, caller, other);
      await changes.emit();
      return {};
    },
  },
  'buddies.block': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const other = await otherUser(scope.tx, caller, input.name, 'you cannot block yourself');
      if (await isBlocked(scope.tx, caller.userId, other.id)) throw new PodError('conflict', `you already blocked ${other.name}`);
      const changes = await BuddyChanges.begin(scope, [caller.userId, other.id]);
      await dropPair(scope, changes, caller, other);
      await addBlock(scope.tx, caller.userId, other.id);
      changes.blocked(caller.userId, other.name, true);
      await changes.emit();
      return {};
    },
  },
  /** Lifts a block. A request the blocked user sent meanwhile stays unseen; they may ask again after withdrawing it. */
  'buddies.unblock': {
    async write(scope, input, request) {
      const caller = request.caller!;
      // A disabled account stays on the blocked list, so it may be unblocked too.
      const other = await findUserByName(scope.tx, input.name);
      if (!other) throw new PodError('not_found', `no user named ${input.name}`);
      if (!(await isBlocked(scope.tx, caller.userId, other.id))) throw new PodError('conflict', `${other.name} is not blocked`);
      await removeBlock(scope.tx, caller.userId, other.id);
      const changes = await BuddyChanges.begin(scope, []);
      changes.relationsChanged(caller.userId, other.id);
      changes.blocked(caller.userId, other.name, false);
      await changes.emit();
      return {};
    },
  },
  'buddies.move': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const other = await otherUser(scope.tx, caller, input.name, 'you are not on your own buddy list');
      const mine = await myRow(scope.tx, caller, other);
      const changes = await BuddyChanges.begin(scope, [caller.userId]);
      await keepGroup(scope.tx, caller.userId, input.group);
      if (mine.group === input.group) {
        await changes.emit();
        return toEntry(mine);
      }
      await updateRow(scope.tx, caller.userId, other.id, { group: input.group });
      const entry = await changes.row(caller.userId, other.id, other.name);
      await changes.emit();
      return entry!;
    },
  },
  /** Renames a group; into an existing group, the two merge. */
  'buddies.renameGroup': {
    async write(scope, input, request) {
      const me = request.caller!.userId;
      if (input.from === input.to) throw new PodError('invalid', `the group is already named ${input.to}`);
      const changes = await BuddyChanges.begin(scope, [me]);
      if (!((await groupsOf(scope.tx, [me])).get(me) ?? []).includes(input.from)) throw new PodError('not_found', `you have no group named ${input.from}`);
      const moved = await rowsInGroup(scope.tx, me, input.from);
      await renameGroup(scope.tx, me, input.from, input.to);
      for (const row of moved) if (!row.hidden) changes.entry(me, row.name, toEntry({ ...row, group: input.to }));
      await changes.emit();
      return { groups: (await groupsOf(scope.tx, [me])).get(me) ?? [] };
    },
  },
};
