import { PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { groupsOf } from './buddies.repo.ts';
import { toProfile } from './profile.ops.ts';
import { enabledProfiles, enabledUserIds, enabledUsers, groupMembers, membershipsOf } from './sharing.repo.ts';

/** Answers other apps' questions about people and buddy groups: for sharing, and for telling everyone. */
export const sharingOps: AppOps<DirectoryTables> = {
  'directory.lookup': {
    async read(input, _request, ctx) {
      return { users: await enabledUsers(ctx.db, input.names ?? [], input.ids ?? []) };
    },
  },
  'directory.groupMembers': {
    async read(input, _request, ctx) {
      const groups = (await groupsOf(ctx.db, [input.ownerId])).get(input.ownerId) ?? [];
      if (!groups.includes(input.group)) throw new PodError('not_found', `you have no buddy group named "${input.group}"`);
      return { members: await groupMembers(ctx.db, input.ownerId, input.group) };
    },
  },
  'directory.memberships': {
    async read(input, _request, ctx) {
      return { memberships: await membershipsOf(ctx.db, input.userId) };
    },
  },
  'directory.userIds': {
    async read(input, _request, ctx) {
      const ids = await enabledUserIds(ctx.db, input.after, input.limit);
      return ids.length === input.limit ? { ids, next: ids.at(-1)! } : { ids };
    },
  },
  'directory.profiles': {
    async read(input, _request, ctx) {
      const rows = await enabledProfiles(ctx.db, input.ids);
      return { profiles: rows.map((row) => ({ id: Number(row.id), ...toProfile(row) })) };
    },
  },
};
