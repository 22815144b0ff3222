import { lockCovers, locksTouching, type DavLock } from '@pod/protocol';
import { DavStatus, etagOf, header, pathOfUrl, stateOf, type Dav, type DavState } from './context.ts';
import { ifHolds, parseIf, submittedTokens, type ResourceState } from './if-header.ts';

/** What a request changes: a path, and whether everything below it too (a folder deleted, moved or overwritten). */
export interface Change {
  path: string;
  infinite: boolean;
}

const touching = (lock: DavLock) => ({ ...lock, infinite: lock.depth === 'infinity' });

/**
 * Checks a request's If header (412 when it does not hold) and that it submits the token of
 * every lock on what it changes (423 otherwise; of shared locks on one resource, one token
 * suffices). `known` holds states already read (the request URL's, a Destination's), so a
 * tagged list costs a read only when it names another resource. Answers the submitted tokens.
 */
export async function checkPreconditions(dav: Dav, known: ReadonlyMap<string, DavState>, changes: readonly Change[]): Promise<Set<string>> {
  const lists = parseIf(header(dav.request, 'if'));
  const locks = [...known.values()][0]?.locks ?? (await stateOf(dav, dav.path)).locks;
  if (lists) {
    const states = new Map(known);
    for (const list of lists) {
      if (list.tag === undefined) continue;
      const path = pathOfUrl(list.tag);
      if (!states.has(path)) states.set(path, await stateOf(dav, path));
    }
    const resource = (tag: string | undefined): ResourceState => {
      const path = tag === undefined ? dav.path : pathOfUrl(tag);
      const state = states.get(path);
      const tokens = new Set(locks.filter((lock) => lockCovers(touching(lock), path)).map((lock) => lock.token));
      return { etag: etagOf(state?.entry), lockTokens: tokens };
    };
    if (!ifHolds(lists, resource)) throw new DavStatus(412, 'the If header does not hold');
  }
  checkStandardConditions(dav, known.get(dav.path));
  const submitted = submittedTokens(lists);
  for (const change of changes) {
    const held = locksTouching(locks.map(touching), change.path, change.infinite);
    const exclusive = held.filter((lock) => lock.scope === 'exclusive');
    const shared = held.filter((lock) => lock.scope === 'shared');
    const missing = exclusive.find((lock) => !submitted.has(lock.token)) ?? (shared.length > 0 && !shared.some((lock) => submitted.has(lock.token)) ? shared[0] : undefined);
    if (missing) throw new DavStatus(423, `${missing.path} is locked; submit its lock token in an If header`, 'lock-token-submitted');
  }
  return submitted;
}

/** If-Match and If-None-Match (RFC 9110) on the request URL, for clients that use them instead of If. */
function checkStandardConditions(dav: Dav, state: DavState | undefined): void {
  const etag = etagOf(state?.entry);
  const exists = state?.entry != null;
  const ifMatch = header(dav.request, 'if-match');
  if (ifMatch !== undefined) {
    const ok = ifMatch.trim() === '*' ? exists : etag !== undefined && ifMatch.split(',').some((tag) => tag.trim() === etag);
    if (!ok) throw new DavStatus(412, 'If-Match does not hold');
  }
  const ifNoneMatch = header(dav.request, 'if-none-match');
  if (ifNoneMatch !== undefined && dav.request.method !== 'GET' && dav.request.method !== 'HEAD') {
    const hit = ifNoneMatch.trim() === '*' ? exists : etag !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
    if (hit) throw new DavStatus(412, 'If-None-Match does not hold');
  }
}
