import { isBelow, locksTouching, lockCovers, MAX_DAV_LOCK_SECONDS, MAX_DAV_PROPS_PER_ITEM, PodError } from '@pod/protocol';
import { randomUUID } from 'node:crypto';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { resolveTarget } from './access.ts';
import { decodeCursor, encodeCursor, isNameCursor, ROOT_ID, rootEntry, toEntry, type NodeRow } from './entries.ts';
import { deleteExpiredLocks, deleteLocks, extendLock, insertLock, liveLocks, propCount, propsOf, removeProp, setProp, toLock, type LockRow } from './dav.repo.ts';
import { listChildren, type Db } from './nodes.repo.ts';
import { NO_MEMBERSHIPS, type Viewer } from './viewer.ts';

/** Children answered per files.dav.state page. */
const CHILDREN_PAGE = 500;

const asTouching = (row: LockRow) => ({ ...row, infinite: Number(row.depth) !== 0 });

/**
 * The item at `path` in the user's own tree, or undefined where nothing is (a file in the way
 * counts as nothing). WebDAV paths start with "/", so they never name another user's tree.
 */
async function itemAt(db: Db, userId: number, path: string): Promise<{ id: number; row: NodeRow | undefined } | undefined> {
  const owner: Viewer = { userId, name: '', memberships: async () => NO_MEMBERSHIPS };
  try {
    const target = await resolveTarget(db, owner, path);
    return target.root ? { id: ROOT_ID, row: undefined } : { id: Number(target.row.id), row: target.row };
  } catch (error) {
    if (error instanceof PodError && (error.code === 'not_found' || error.code === 'conflict')) return undefined;
    throw error;
  }
}

/** A refusal the gateway answers with 423 Locked. */
export function locked(path: string): PodError {
  return new PodError('conflict', `${path} is locked; send the lock's token in an If header, or wait for it to expire`, { locked: path });
}

/** WebDAV's state, locks and dead properties; see filesDavOps in the protocol. */
export const davOps: AppOps<FilesTables> = {
  'files.dav.state': {
    async read(input, request, ctx) {
      const userId = request.caller!.userId;
      const locks = (await liveLocks(ctx.db, userId, Date.now())).map(toLock);
      const item = await itemAt(ctx.db, userId, input.path);
      if (!item) {
        const parent = input.path === '/' ? undefined : await itemAt(ctx.db, userId, input.path.slice(0, input.path.lastIndexOf('/')) || '/');
        const parentExists = parent !== undefined && (parent.row === undefined || parent.row.kind === 'folder');
        return { entry: null, parentExists, children: [], props: [], locks };
      }
      const entry = item.row ? toEntry(item.row) : rootEntry();
      let children: NodeRow[] = [];
      let next: string | undefined;
      if (input.children && entry.kind === 'folder') {
        const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isNameCursor)[0];
        const rows = await listChildren(ctx.db, userId, item.id, after, CHILDREN_PAGE + 1);
        children = rows.slice(0, CHILDREN_PAGE);
        if (rows.length > CHILDREN_PAGE) next = encodeCursor([children[children.length - 1]!.name]);
      }
      const ids = [item.id, ...children.map((row) => Number(row.id))];
      const props = input.props ? await propsOf(ctx.db, userId, ids) : new Map();
      return {
        entry,
        parentExists: true,
        children: children.map(toEntry),
        ...(next === undefined ? {} : { next }),
        props: [...props].map(([id, list]) => ({ id, props: list })),
        locks,
      };
    },
  },
  'files.dav.lock': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      const nowMs = Date.parse(scope.now);
      const timeoutSeconds = Math.min(input.timeoutSeconds, MAX_DAV_LOCK_SECONDS);
      const expiresAt = nowMs + timeoutSeconds * 1000;
      await deleteExpiredLocks(scope.tx, userId, nowMs);
      const locks = await liveLocks(scope.tx, userId, nowMs);
      if ('refresh' in input) {
        const lock = locks.find((row) => row.token === input.refresh);
        if (!lock || !lockCovers(asTouching(lock), input.path)) throw new PodError('invalid', `no lock ${input.refresh} of yours covers ${input.path}; it may have expired`, { badToken: true });
        await extendLock(scope.tx, lock.token, timeoutSeconds, expiresAt);
        return { lock: toLock({ ...lock, timeout_seconds: timeoutSeconds, expires_at: expiresAt }) };
      }
      if (!(await itemAt(scope.tx, userId, input.path))) throw new PodError('not_found', `no file or folder at ${input.path}`);
      const clash = locksTouching(locks.map(asTouching), input.path, input.depth === 'infinity').find((lock) => lock.scope === 'exclusive' || input.scope === 'exclusive');
      if (clash) throw locked(clash.path);
      const row: LockRow = {
        token: `opaquelocktoken:${randomUUID()}`,
        user_id: userId,
        path: input.path,
        depth: input.depth === '0' ? 0 : -1,
        scope: input.scope,
        owner: input.owner,
        timeout_seconds: timeoutSeconds,
        expires_at: expiresAt,
      };
      await insertLock(scope.tx, row);
      return { lock: toLock(row) };
    },
  },
  'files.dav.unlock': {
    async write(scope, input, request) {
      const locks = await liveLocks(scope.tx, request.caller!.userId, Date.parse(scope.now));
      const lock = locks.find((row) => row.token === input.token);
      if (!lock || !lockCovers(asTouching(lock), input.path)) throw new PodError('conflict', `no lock ${input.token} of yours covers ${input.path}`, { badToken: true });
      await deleteLocks(scope.tx, [lock.token]);
      return {};
    },
  },
  'files.dav.unlockTree': {
    async write(scope, input, request) {
      const locks = await liveLocks(scope.tx, request.caller!.userId, Date.parse(scope.now));
      const gone = locks.filter((row) => row.path === input.path || isBelow(row.path, input.path)).map((row) => row.token);
      await deleteLocks(scope.tx, gone);
      return { removed: gone.length };
    },
  },
  'files.dav.proppatch': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      const item = await itemAt(scope.tx, userId, input.path);
      if (!item) throw new PodError('not_found', `no file or folder at ${input.path}`);
      for (const prop of input.set) await setProp(scope.tx, userId, item.id, prop);
      for (const prop of input.remove) await removeProp(scope.tx, userId, item.id, prop);
      if ((await propCount(scope.tx, userId, item.id)) > MAX_DAV_PROPS_PER_ITEM) throw new PodError('too_large', `an item has at most ${MAX_DAV_PROPS_PER_ITEM} properties`);
      return {};
    },
  },
};
