import { filePath, PodError, type ErrorBody, type FileEntry, type OpOutput } from '@pod/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../../messenger/messenger.ts';
import { askFiles } from '../ask-files.ts';
import type { GatewayDeps } from '../deps.ts';

/** Where the tree is mounted: /dav/ is the caller's root folder. */
export const DAV_PREFIX = '/dav';

export type DavState = OpOutput<'files.dav.state'>;

/** One WebDAV request: who asks, for which path of their tree. */
export interface Dav {
  deps: GatewayDeps;
  caller: Caller;
  path: string;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A DAV answer other than a Pod error: a status the protocol defines, with an optional DAV:error body. */
export class DavStatus extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly condition?: string,
  ) {
    super(message);
  }
}

/** The path of the caller's tree a URL names, from "/dav/a%20b/c" (a trailing "/" is the same item). */
export function pathOfUrl(url: string): string {
  let pathname = url.split('?')[0]!.split('#')[0]!;
  if (/^https?:\/\//i.test(pathname)) {
    try {
      pathname = new URL(pathname).pathname;
    } catch {
      throw new PodError('invalid', 'the URL is malformed');
    }
  }
  if (pathname !== DAV_PREFIX && !pathname.startsWith(`${DAV_PREFIX}/`)) throw new PodError('invalid', `a WebDAV URL starts with ${DAV_PREFIX}/`);
  const rest = pathname.slice(DAV_PREFIX.length) || '/';
  let parts: string[];
  try {
    parts = rest.split('/').map((part) => decodeURIComponent(part));
  } catch {
    throw new PodError('invalid', 'the URL has a malformed %-escape');
  }
  if (parts.slice(1).some((part, index, all) => part.includes('/') || (part === '' && index < all.length - 1))) {
    throw new PodError('invalid', 'the URL has an empty name or an escaped "/"');
  }
  const decoded = parts.join('/');
  const parsed = filePath.safeParse(decoded);
  if (!parsed.success) throw new PodError('invalid', `the URL does not name a file: ${parsed.error.issues[0]?.message ?? 'bad path'}`);
  return parsed.data;
}

export function hrefOf(path: string, folder: boolean): string {
  if (path === '/') return `${DAV_PREFIX}/`;
  const encoded = path
    .split('/')
    .map((name) => encodeURIComponent(name))
    .join('/');
  return `${DAV_PREFIX}${encoded}${folder ? '/' : ''}`;
}

export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function childPath(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}

export function etagOf(entry: FileEntry | null | undefined): string | undefined {
  return entry?.hash ? `"${entry.hash}"` : undefined;
}

export function stateOf(dav: Pick<Dav, 'deps' | 'caller'>, path: string, options: { children?: boolean; props?: boolean; cursor?: string } = {}): Promise<DavState> {
  return askFiles(dav.deps, dav.caller, 'files.dav.state', { path, ...options });
}

/** HTTP Basic with the account name and an app password; the account password is refused by the directory. */
export async function davCaller(deps: GatewayDeps, header: string | undefined): Promise<Caller> {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) throw new PodError('unauthorized', 'WebDAV needs HTTP Basic authentication with your account name and an app password');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || colon > 64 || decoded.length - colon - 1 > 200) throw new PodError('unauthorized', 'wrong name or app password');
  const response = await deps.messenger.request('directory', { id: randomUUID(), op: 'auth.appPasswords.resolve', body: { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) } });
  if (!response.ok) throw PodError.fromBody(response.error as ErrorBody);
  return response.body as Caller;
}

/** The single value of a header (a repeated one is refused: a client means one Depth, one Destination). */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (Array.isArray(value)) throw new PodError('invalid', `send one ${name} header`);
  return value;
}
