import type { Db } from './nodes.repo.ts';
import { publishedRows, sharesTo, type ShareRow } from './shares.repo.ts';
import type { Viewer } from './viewer.ts';

/** Shares searched at most per scope: a search is one statement, whose list of tops must stay reasonable. */
const MAX_TOPS = 5000;

/** The grants whose items `viewer` may search in: shared with them, published by anyone, or both. */
export async function grantedTops(db: Db, viewer: Viewer, scope: 'shared' | 'published' | 'all'): Promise<ShareRow[]> {
  const shared = scope === 'published' ? [] : await sharesTo(db, viewer.userId, await viewer.memberships(), undefined, MAX_TOPS);
  const published = scope === 'shared' ? [] : await publishedRows(db, undefined, undefined, MAX_TOPS);
  return [...shared, ...published];
}
