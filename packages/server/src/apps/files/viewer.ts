import type { AppContext, RequestInfo } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { nodeById } from './nodes.repo.ts';

/**
 * What grants to groups and rooms need: the buddy groups the caller is in, on whose lists (the
 * directory owns buddies), and the ids of the rooms they are a member of now (the rooms app's).
 */
export interface Memberships {
  groups: ReadonlyArray<{ ownerId: number; group: string }>;
  rooms: readonly number[];
}

export const NO_MEMBERSHIPS: Memberships = { groups: [], rooms: [] };

async function membershipsOf(ctx: AppContext<FilesTables>, userId: number): Promise<Memberships> {
  const [groups, rooms] = await Promise.all([ctx.call('directory.memberships', { userId }), ctx.call('rooms.memberships', { userId })]);
  return { groups: groups.memberships, rooms: rooms.rooms };
}

/** Who is asking, as access checks see them. */
export interface Viewer {
  userId: number;
  name: string;
  memberships(): Promise<Memberships>;
}

/** For reads: memberships are asked for only when a group or room grant is met, once per request. */
export function readViewer(ctx: AppContext<FilesTables>, request: RequestInfo): Viewer {
  const caller = request.caller!;
  let asked: Promise<Memberships> | undefined;
  return {
    userId: caller.userId,
    name: caller.name,
    memberships: () => (asked ??= membershipsOf(ctx, caller.userId)),
  };
}

/**
 * For writes, which wait on no other app inside their transaction: memberships are fetched in
 * `prepare`, and only when the request names another user's item (a "~owner" path or an id
 * that is not the caller's); owners never pay for sharing.
 */
export async function prepareMemberships(ctx: AppContext<FilesTables>, request: RequestInfo, refs: ReadonlyArray<string | number | undefined>): Promise<Memberships | undefined> {
  return membershipsFor(ctx, request.caller!.userId, refs);
}

/** As prepareMemberships, for a user an app names (files.attach: the sender). */
export async function membershipsFor(ctx: AppContext<FilesTables>, userId: number, refs: ReadonlyArray<string | number | undefined>): Promise<Memberships | undefined> {
  let foreign = false;
  for (const ref of refs) {
    if (typeof ref === 'string') foreign ||= ref.startsWith('~');
    else if (typeof ref === 'number' && ref !== 0) {
      const row = await nodeById(ctx.db, ref);
      foreign ||= row !== undefined && Number(row.user_id) !== userId;
    }
  }
  return foreign ? membershipsOf(ctx, userId) : undefined;
}

/** For writes: with the memberships `prepare` fetched (none when the request names only the caller's items). */
export function writeViewer(request: RequestInfo, memberships: Memberships | undefined): Viewer {
  const caller = request.caller!;
  const known = memberships ?? NO_MEMBERSHIPS;
  return { userId: caller.userId, name: caller.name, memberships: async () => known };
}
