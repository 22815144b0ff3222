import type { FileLink } from '@pod/protocol';
import type { Selectable, Transaction } from 'kysely';
import type { FilesTables } from '../../store/schema.ts';
import type { Db } from './nodes.repo.ts';

type Tx = Transaction<FilesTables>;
export type LinkRow = Selectable<FilesTables['files_links']>;

export function toLink(row: LinkRow, path: string, kind: 'file' | 'folder'): FileLink {
  return { id: Number(row.id), item: { id: Number(row.node_id), path }, kind, hasPassword: row.password_hash !== null, expiresAt: row.expires_at, createdAt: row.created_at };
}

export async function insertLink(tx: Tx, link: { ownerId: number; nodeId: number; tokenHash: string; passwordHash: string | null; expiresAt: string | null; at: string }): Promise<LinkRow> {
  return tx
    .insertInto('files_links')
    .values({ owner_id: link.ownerId, node_id: link.nodeId, token_hash: link.tokenHash, password_hash: link.passwordHash, expires_at: link.expiresAt, created_at: link.at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteLink(tx: Tx, ownerId: number, id: number): Promise<boolean> {
  const result = await tx.deleteFrom('files_links').where('owner_id', '=', ownerId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** My links, newest first (of one item with `nodeId`), before the link id `before`. */
export async function linksOf(db: Db, ownerId: number, nodeId: number | undefined, before: number | undefined, limit: number): Promise<LinkRow[]> {
  let query = db.selectFrom('files_links').selectAll().where('owner_id', '=', ownerId);
  if (nodeId !== undefined) query = query.where('node_id', '=', nodeId);
  if (before !== undefined) query = query.where('id', '<', before);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function linkByTokenHash(db: Db, tokenHash: string): Promise<LinkRow | undefined> {
  return db.selectFrom('files_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}
