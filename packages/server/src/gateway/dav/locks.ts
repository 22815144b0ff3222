import { MAX_DAV_LOCK_SECONDS, PodError } from '@pod/protocol';
import { createHash } from 'node:crypto';
import { askFiles } from '../ask-files.ts';
import { readXml } from './body.ts';
import { DavStatus, header, parentOf, stateOf, type Dav } from './context.ts';
import { parseIf, submittedTokens } from './if-header.ts';
import { checkPreconditions } from './preconditions.ts';
import { activeLock } from './props.ts';
import { child, DAV, davDocument, element } from './xml.ts';

const DEFAULT_LOCK_SECONDS = 3600;
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** Timeout: the first of "Second-N" or "Infinite" the client lists; the server may grant less. */
function timeoutOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LOCK_SECONDS;
  const first = value.split(',')[0]!.trim();
  if (/^infinite$/i.test(first)) return MAX_DAV_LOCK_SECONDS;
  const match = /^Second-(\d{1,12})$/i.exec(first);
  if (!match) throw new PodError('invalid', 'Timeout is Second-N or Infinite');
  return Math.max(1, Math.min(Number(match[1]), MAX_DAV_LOCK_SECONDS));
}

function answer(dav: Dav, status: number, lock: Parameters<typeof activeLock>[0]): void {
  dav.reply
    .code(status)
    .header('lock-token', `<${lock.token}>`)
    .type('application/xml; charset=utf-8')
    .send(davDocument('prop', element(DAV, 'lockdiscovery', activeLock(lock))));
}

/**
 * LOCK: a new write lock (exclusive or shared, depth 0 or infinity), or with no body the
 * refresh of the lock whose token the If header names. Locking an unmapped URL makes an empty
 * file there, as RFC 4918 (section 7.3) has it instead of RFC 2518's lock-null resources.
 */
export async function lock(dav: Dav): Promise<void> {
  const body = await readXml(dav.request);
  const timeoutSeconds = timeoutOf(header(dav.request, 'timeout'));
  if (!body) {
    const tokens = [...submittedTokens(parseIf(header(dav.request, 'if')))];
    if (tokens.length !== 1) throw new PodError('invalid', 'to refresh a lock, send its token in an If header: If: (<token>)');
    const { lock: refreshed } = await askFiles(dav.deps, dav.caller, 'files.dav.lock', { path: dav.path, refresh: tokens[0]!, timeoutSeconds });
    answer(dav, 200, refreshed);
    return;
  }
  if (body.ns !== DAV || body.name !== 'lockinfo') throw new PodError('invalid', 'a LOCK body is a DAV:lockinfo element');
  const scopeElement = child(body, DAV, 'lockscope')?.children[0];
  const scope = scopeElement?.ns === DAV && (scopeElement.name === 'exclusive' || scopeElement.name === 'shared') ? scopeElement.name : undefined;
  if (!scope) throw new PodError('invalid', 'DAV:lockscope is DAV:exclusive or DAV:shared');
  const type = child(body, DAV, 'locktype')?.children[0];
  if (!type || type.ns !== DAV || type.name !== 'write') throw new DavStatus(422, 'only write locks exist (DAV:locktype DAV:write)');
  const depthHeader = (header(dav.request, 'depth') ?? 'infinity').toLowerCase();
  if (depthHeader !== '0' && depthHeader !== 'infinity') throw new PodError('invalid', 'LOCK takes Depth 0 or infinity');
  const owner = child(body, DAV, 'owner')?.inner ?? '';

  const state = await stateOf(dav, dav.path);
  if (!state.entry && !state.parentExists) throw new DavStatus(409, `the folder ${parentOf(dav.path)} does not exist`);
  await checkPreconditions(dav, new Map([[dav.path, state]]), state.entry ? [] : [{ path: parentOf(dav.path), infinite: false }]);
  if (!state.entry) {
    const begin = await askFiles(dav.deps, dav.caller, 'files.upload.begin', { path: dav.path, size: 0, hash: EMPTY_SHA256, chunkCount: 0, chunks: [], overwrite: false });
    await askFiles(dav.deps, dav.caller, 'files.upload.seal', { uploadId: begin.uploadId, chunks: [] });
  }
  const depth = depthHeader === '0' || state.entry?.kind === 'file' ? '0' : 'infinity';
  const { lock: taken } = await askFiles(dav.deps, dav.caller, 'files.dav.lock', { path: dav.path, depth, scope, owner, timeoutSeconds });
  answer(dav, state.entry ? 200 : 201, taken);
}

/** UNLOCK with the Lock-Token header: 409 when that token is no lock on this URL. */
export async function unlock(dav: Dav): Promise<void> {
  const value = header(dav.request, 'lock-token');
  const match = value === undefined ? null : /^\s*<([^>]{1,200})>\s*$/.exec(value);
  if (!match) throw new PodError('invalid', 'UNLOCK needs a Lock-Token header: Lock-Token: <token>');
  await askFiles(dav.deps, dav.caller, 'files.dav.unlock', { path: dav.path, token: match[1]! });
  dav.reply.code(204).send();
}
