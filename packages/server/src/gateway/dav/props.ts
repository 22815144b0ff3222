import { lockCovers, PodError, type DavLock, type DavProp, type FileEntry } from '@pod/protocol';
import { askFiles } from '../ask-files.ts';
import { childPath, DavStatus, etagOf, header, hrefOf, stateOf, type Dav, type DavState } from './context.ts';
import { checkPreconditions } from './preconditions.ts';
import { readXml } from './body.ts';
import { child, DAV, davDocument, element, escapeXml, isDav, type XmlElement } from './xml.ts';

const LIVE = ['creationdate', 'displayname', 'getcontentlength', 'getcontenttype', 'getetag', 'getlastmodified', 'resourcetype', 'supportedlock', 'lockdiscovery'] as const;
type PropKey = { ns: string; name: string };

export function activeLock(lock: DavLock): string {
  return element(
    DAV,
    'activelock',
    element(DAV, 'locktype', element(DAV, 'write')) +
      element(DAV, 'lockscope', element(DAV, lock.scope)) +
      element(DAV, 'depth', lock.depth) +
      (lock.owner === '' ? '' : element(DAV, 'owner', lock.owner)) +
      element(DAV, 'timeout', `Second-${Math.max(0, Math.round((Date.parse(lock.expiresAt) - Date.now()) / 1000))}`) +
      element(DAV, 'locktoken', element(DAV, 'href', escapeXml(lock.token))) +
      element(DAV, 'lockroot', element(DAV, 'href', escapeXml(hrefOf(lock.path, false)))),
  );
}

/** A live property's value as XML, or undefined where the item has none (a folder's length). */
function live(name: (typeof LIVE)[number], entry: FileEntry, path: string, locks: readonly DavLock[]): string | undefined {
  const file = entry.kind === 'file';
  switch (name) {
    case 'creationdate':
      return escapeXml(entry.createdAt);
    case 'displayname':
      return escapeXml(entry.name);
    case 'getcontentlength':
      return file ? String(entry.size) : undefined;
    case 'getcontenttype':
      return file ? escapeXml(entry.type) : undefined;
    case 'getetag':
      return file ? escapeXml(etagOf(entry)!) : undefined;
    case 'getlastmodified':
      return new Date(entry.modifiedAt).toUTCString();
    case 'resourcetype':
      return file ? '' : element(DAV, 'collection');
    case 'supportedlock':
      return ['exclusive', 'shared'].map((scope) => element(DAV, 'lockentry', element(DAV, 'lockscope', element(DAV, scope)) + element(DAV, 'locktype', element(DAV, 'write')))).join('');
    case 'lockdiscovery':
      return locks.filter((lock) => lockCovers({ path: lock.path, infinite: lock.depth === 'infinity' }, path)).map(activeLock).join('');
  }
}

type Want = { kind: 'all' } | { kind: 'names' } | { kind: 'some'; props: PropKey[] };

function response(path: string, entry: FileEntry, dead: readonly DavProp[], locks: readonly DavLock[], want: Want): string {
  const found: string[] = [];
  const missing: string[] = [];
  if (want.kind === 'some') {
    for (const prop of want.props) {
      const isLive = prop.ns === DAV && (LIVE as readonly string[]).includes(prop.name);
      const value = isLive ? live(prop.name as (typeof LIVE)[number], entry, path, locks) : dead.find((d) => d.ns === prop.ns && d.name === prop.name)?.value;
      if (value === undefined) missing.push(element(prop.ns, prop.name));
      else found.push(element(prop.ns, prop.name, value));
    }
  } else {
    for (const name of LIVE) {
      const value = live(name, entry, path, locks);
      if (value !== undefined) found.push(element(DAV, name, want.kind === 'names' ? '' : value));
    }
    for (const prop of dead) found.push(element(prop.ns, prop.name, want.kind === 'names' ? '' : prop.value));
  }
  const propstat = (props: string[], status: string) => (props.length === 0 ? '' : element(DAV, 'propstat', element(DAV, 'prop', props.join('')) + element(DAV, 'status', status)));
  return element(DAV, 'response', element(DAV, 'href', escapeXml(hrefOf(path, entry.kind === 'folder'))) + propstat(found, 'HTTP/1.1 200 OK') + propstat(missing, 'HTTP/1.1 404 Not Found'));
}

function wanted(body: XmlElement | undefined): Want {
  if (!body) return { kind: 'all' };
  if (!isDav(body, 'propfind')) throw new PodError('invalid', 'a PROPFIND body is a DAV:propfind element');
  if (child(body, DAV, 'propname')) return { kind: 'names' };
  const prop = child(body, DAV, 'prop');
  if (prop) return { kind: 'some', props: prop.children.map((c) => ({ ns: c.ns, name: c.name })) };
  if (child(body, DAV, 'allprop')) return { kind: 'all' };
  throw new PodError('invalid', 'a DAV:propfind holds DAV:allprop, DAV:propname or DAV:prop');
}

/** PROPFIND at depth 0 or 1. Depth infinity is refused (403 propfind-finite-depth), as RFC 4918 allows: a whole tree in one answer has no bound. */
export async function propfind(dav: Dav): Promise<void> {
  const depth = header(dav.request, 'depth') ?? 'infinity';
  if (depth.toLowerCase() === 'infinity') throw new DavStatus(403, 'PROPFIND with Depth infinity is not supported; use Depth 1', 'propfind-finite-depth');
  if (depth !== '0' && depth !== '1') throw new PodError('invalid', 'Depth is 0, 1 or infinity');
  const want = wanted(await readXml(dav.request));
  let state = await stateOf(dav, dav.path, { children: depth === '1', props: true });
  if (!state.entry) throw new PodError('not_found', `no file or folder at ${dav.path}`);
  const propsById = (s: DavState) => new Map(s.props.map((p) => [p.id, p.props]));
  let props = propsById(state);
  const parts = [response(dav.path, state.entry, props.get(state.entry.id) ?? [], state.locks, want)];
  for (;;) {
    for (const entry of state.children) parts.push(response(childPath(dav.path, entry.name), entry, props.get(entry.id) ?? [], state.locks, want));
    if (!state.next) break;
    state = await stateOf(dav, dav.path, { children: true, props: true, cursor: state.next });
    props = propsById(state);
  }
  dav.reply.code(207).type('application/xml; charset=utf-8').send(davDocument('multistatus', parts.join('')));
}

/** PROPPATCH: dead properties are set and removed in order, all or none; live ones are protected (403, the rest 424). */
export async function proppatch(dav: Dav): Promise<void> {
  const body = await readXml(dav.request);
  if (!body || !isDav(body, 'propertyupdate')) throw new PodError('invalid', 'a PROPPATCH body is a DAV:propertyupdate element');
  const state = await stateOf(dav, dav.path);
  if (!state.entry) throw new PodError('not_found', `no file or folder at ${dav.path}`);
  await checkPreconditions(dav, new Map([[dav.path, state]]), [{ path: dav.path, infinite: false }]);
  const set: DavProp[] = [];
  const remove: PropKey[] = [];
  const all: PropKey[] = [];
  for (const action of body.children) {
    if (action.ns !== DAV || (action.name !== 'set' && action.name !== 'remove')) continue;
    for (const prop of child(action, DAV, 'prop')?.children ?? []) {
      all.push({ ns: prop.ns, name: prop.name });
      if (action.name === 'set') set.push({ ns: prop.ns, name: prop.name, value: prop.inner });
      else remove.push({ ns: prop.ns, name: prop.name });
    }
  }
  const protectedProp = (p: PropKey) => p.ns === DAV && (LIVE as readonly string[]).includes(p.name);
  const refused = all.filter(protectedProp);
  const propstat = (props: PropKey[], status: string) =>
    props.length === 0 ? '' : element(DAV, 'propstat', element(DAV, 'prop', props.map((p) => element(p.ns, p.name)).join('')) + element(DAV, 'status', status));
  let content: string;
  if (refused.length > 0) {
    content = propstat(refused, 'HTTP/1.1 403 Forbidden') + propstat(all.filter((p) => !protectedProp(p)), 'HTTP/1.1 424 Failed Dependency');
  } else {
    await askFiles(dav.deps, dav.caller, 'files.dav.proppatch', { path: dav.path, set, remove });
    content = propstat(all, 'HTTP/1.1 200 OK');
  }
  const href = element(DAV, 'href', escapeXml(hrefOf(dav.path, state.entry.kind === 'folder')));
  dav.reply.code(207).type('application/xml; charset=utf-8').send(davDocument('multistatus', element(DAV, 'response', href + content)));
}
