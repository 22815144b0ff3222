import { PodError, userName, type Profile } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { anyAccount, findUserById, findUserByName, type UserRow } from './accounts.repo.ts';
import { updateUserInLists } from './buddy-changes.ts';
import { searchProfiles, updateProfile } from './profiles.repo.ts';

const DEFAULT_SEARCH_PAGE = 20;

export function toProfile(user: Pick<UserRow, 'name' | 'display_name' | 'status_text' | 'about'>): Profile {
  return { name: user.name, displayName: user.display_name, statusText: user.status_text, about: user.about };
}

/** The cursor is the last name of a page; opaque so that the paging key may change. */
const encodeCursor = (name: string) => Buffer.from(name, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const name = userName.safeParse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!name.success) throw new PodError('invalid', 'the cursor is not one a search answered; search again without it');
  return name.data;
}

export const profileOps: AppOps<DirectoryTables> = {
  'directory.setup': {
    async read(_input, _request, ctx) {
      return { accounts: await anyAccount(ctx.db) };
    },
  },
  'profile.get': {
    async read(input, request, ctx) {
      const caller = request.caller!;
      const user = input.name === undefined ? await findUserById(ctx.db, caller.userId) : await findUserByName(ctx.db, input.name);
      if (!user || user.disabled === 1) throw new PodError('not_found', `no user named ${input.name ?? caller.name}`);
      return toProfile(user);
    },
  },
  'profile.update': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const user = await findUserById(scope.tx, caller.userId);
      if (!user) throw new PodError('unauthorized', 'your account no longer exists');
      const profile = {
        displayName: input.displayName === undefined ? user.display_name : input.displayName || user.name,
        statusText: input.statusText ?? user.status_text,
        about: input.about ?? user.about,
      };
      const save = () => updateProfile(scope.tx, user.id, profile);
      // Others' buddy lists show the display name, so they hear of a new one.
      if (profile.displayName !== user.display_name) await updateUserInLists(scope, user.id, save, 'relations kept');
      else await save();
      return { name: user.name, ...profile };
    },
  },
  'directory.search': {
    async read(input, _request, ctx) {
      const limit = input.limit ?? DEFAULT_SEARCH_PAGE;
      const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
      const rows = await searchProfiles(ctx.db, input.query, after, limit + 1);
      const page = rows.slice(0, limit);
      const users = page.map((row) => ({ name: row.name, displayName: row.display_name, about: row.about, statusText: row.status_text }));
      return rows.length > limit ? { users, next: encodeCursor(page.at(-1)!.name) } : { users };
    },
  },
};
