import type { AppContext, RequestInfo } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { nodeById } from './nodes.repo.ts';

/** The buddy groups the caller is in, on whose lists: what group grants need (the directory owns buddies). */
export type Memberships = ReadonlyArray<{ ownerId: number; group: string }>;

/** Who is asking, as access checks see them. */
export interface Viewer {
  userId: number;
  name: string;
  memberships(): Promise<Memberships>;
}

/** For reads: the directory is asked for memberships only when a group grant is met, once per request. */
export function readViewer(ctx: AppContext<FilesTables>, request: RequestInfo): Viewer {
  const caller = request.caller!;
  let asked: Promise<Memberships> | undefined;
  return {
    userId: caller.userId,
    name: caller.name,
    memberships: () => (asked ??= ctx.call('directory.memberships', { userId: caller.userId }).then((answer) => answer.memberships)),
  };
}

/**
 * For writes, which wait on no other app inside their transaction: memberships are fetched in
 * `prepare`, and only when the request names another user's item (a "~owner" path or an id
 * that is not the caller's); owners never pay for sharing.
 */
export async function prepareMemberships(ctx: AppContext<FilesTables>, request: RequestInfo, refs: ReadonlyArray<string | number | undefined>): Promise<Memberships | undefined> {
  const caller = request.caller!;
  let foreign = false;
  for (const ref of refs) {
    if (typeof ref === 'string') foreign ||= ref.startsWith('~');
    else if (typeof ref === 'number' && ref !== 0) {
      const row = await nodeById(ctx.db, ref);
      foreign ||= row !== undefined && Number(row.user_id) !== caller.userId;
    }
  }
  return foreign ? (await ctx.call('directory.memberships', { userId: caller.userId })).memberships : undefined;
}

/** For writes: with the memberships `prepare` fetched (none when the request names only the caller's items). */
export function writeViewer(request: RequestInfo, memberships: Memberships | undefined): Viewer {
  const caller = request.caller!;
  const known = memberships ?? [];
  return { userId: caller.userId, name: caller.name, memberships: async () => known };
}
