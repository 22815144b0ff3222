import type { DavLock, DavProp } from '@pod/protocol';
import type { Selectable, Transaction } from 'kysely';
import type { FilesTables } from '../../store/schema.ts';
import type { Db } from './nodes.repo.ts';

type Tx = Transaction<FilesTables>;
export type LockRow = Selectable<FilesTables['files_dav_locks']>;

export function toLock(row: LockRow): DavLock {
  return {
    token: row.token,
    path: row.path,
    depth: Number(row.depth) === 0 ? '0' : 'infinity',
    scope: row.scope,
    owner: row.owner,
    timeoutSeconds: Number(row.timeout_seconds),
    expiresAt: new Date(Number(row.expires_at)).toISOString(),
  };
}

/** The caller's locks that have not expired: few per user, so callers filter them by path. */
export async function liveLocks(db: Db, userId: number, nowMs: number): Promise<LockRow[]> {
  return db.selectFrom('files_dav_locks').selectAll().where('user_id', '=', userId).where('expires_at', '>', nowMs).orderBy('token').execute();
}

export async function insertLock(tx: Tx, row: LockRow): Promise<void> {
  await tx.insertInto('files_dav_locks').values(row).execute();
}

export async function extendLock(tx: Tx, token: string, timeoutSeconds: number, expiresAt: number): Promise<void> {
  await tx.updateTable('files_dav_locks').set({ timeout_seconds: timeoutSeconds, expires_at: expiresAt }).where('token', '=', token).execute();
}

export async function deleteLocks(tx: Tx, tokens: readonly string[]): Promise<void> {
  if (tokens.length > 0) await tx.deleteFrom('files_dav_locks').where('token', 'in', [...tokens]).execute();
}

/** Expired locks of the user are forgotten whenever they take a new one. */
export async function deleteExpiredLocks(tx: Tx, userId: number, nowMs: number): Promise<void> {
  await tx.deleteFrom('files_dav_locks').where('user_id', '=', userId).where('expires_at', '<=', nowMs).execute();
}

export async function propsOf(db: Db, userId: number, nodeIds: readonly number[]): Promise<Map<number, DavProp[]>> {
  const found = new Map<number, DavProp[]>();
  if (nodeIds.length === 0) return found;
  const rows = await db.selectFrom('files_dav_props').select(['node_id', 'ns', 'name', 'value']).where('user_id', '=', userId).where('node_id', 'in', [...nodeIds]).orderBy('ns').orderBy('name').execute();
  for (const row of rows) {
    const id = Number(row.node_id);
    const list = found.get(id) ?? [];
    list.push({ ns: row.ns, name: row.name, value: row.value });
    found.set(id, list);
  }
  return found;
}

export async function setProp(tx: Tx, userId: number, nodeId: number, prop: DavProp): Promise<void> {
  await tx
    .insertInto('files_dav_props')
    .values({ user_id: userId, node_id: nodeId, ns: prop.ns, name: prop.name, value: prop.value })
    .onConflict((oc) => oc.columns(['user_id', 'node_id', 'ns', 'name']).doUpdateSet({ value: prop.value }))
    .execute();
}

export async function removeProp(tx: Tx, userId: number, nodeId: number, prop: { ns: string; name: string }): Promise<void> {
  await tx.deleteFrom('files_dav_props').where('user_id', '=', userId).where('node_id', '=', nodeId).where('ns', '=', prop.ns).where('name', '=', prop.name).execute();
}

export async function propCount(tx: Tx, userId: number, nodeId: number): Promise<number> {
  const row = await tx.selectFrom('files_dav_props').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('node_id', '=', nodeId).executeTakeFirst();
  return Number(row?.n ?? 0);
}
