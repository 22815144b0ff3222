import { filePath, linkPassword, linkToken, pageLimit, PodError, fileCursor, type OpInput, type OpOutput } from '@pod/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidInput } from '../runtime/errors.ts';
import { askFiles } from './ask-files.ts';
import type { GatewayDeps } from './deps.ts';
import { serveContent } from './download.ts';

const PASSWORD_HEADER = 'x-pod-link-password';
const listQuery = z.strictObject({ limit: z.coerce.number().pipe(pageLimit).optional(), cursor: fileCursor.optional(), inline: z.enum(['1', 'true']).optional() });

/**
 * The password a reader gave: the x-pod-link-password header, or the password of HTTP Basic
 * (any user name), which a browser asks for after a 401 with WWW-Authenticate.
 */
function passwordOf(request: FastifyRequest): string | undefined {
  const header = request.headers[PASSWORD_HEADER];
  if (typeof header === 'string') return header;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * Links, read without an account: GET /v1/files/links/<token> serves a file (as /v1/files/content
 * does: Range, ETag, Content-Type) or lists a folder as JSON; /v1/files/links/<token>/<path>
 * reaches inside a linked folder. Every check (token, expiry, password) is the files app's.
 */
export function registerLinkRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  const serve = async (request: FastifyRequest, reply: FastifyReply, rawPath: string) => {
    const params = z.strictObject({ token: linkToken, path: filePath, password: linkPassword.optional() }).safeParse({
      token: (request.params as { token?: string }).token,
      path: `/${rawPath}`,
      password: passwordOf(request),
    });
    if (!params.success) throw invalidInput(params.error, 'link URL');
    const query = listQuery.safeParse(request.query);
    if (!query.success) throw invalidInput(query.error, 'link query');
    const base: OpInput<'files.link.open'> = { token: params.data.token, path: params.data.path, ...(params.data.password === undefined ? {} : { password: params.data.password }) };
    const open = async (extra: Partial<OpInput<'files.link.open'>>): Promise<OpOutput<'files.link.open'>> => {
      try {
        return await askFiles(deps, undefined, 'files.link.open', { ...base, ...extra });
      } catch (error) {
        if (error instanceof PodError && error.code === 'unauthorized') reply.header('www-authenticate', 'Basic realm="pod link", charset="UTF-8"');
        throw error;
      }
    };
    const first = await open({ ...(query.data.limit ? { limit: query.data.limit } : {}), ...(query.data.cursor ? { cursor: query.data.cursor } : {}) });
    if (first.kind === 'folder') {
      const { kind: _kind, ...listing } = first;
      reply.header('cache-control', 'private, no-cache');
      return reply.send(listing);
    }
    return serveContent(
      deps,
      async (page) => {
        if (!page) return first;
        const next = await open(page);
        if (next.kind !== 'file') throw new PodError('conflict', 'the linked file changed into a folder meanwhile; start again');
        return next;
      },
      request,
      reply,
      { inline: query.data.inline !== undefined, user: undefined },
    );
  };
  app.route({ method: ['GET', 'HEAD'], url: '/v1/files/links/:token', handler: (request, reply) => serve(request, reply, '') });
  app.route({ method: ['GET', 'HEAD'], url: '/v1/files/links/:token/*', handler: (request, reply) => serve(request, reply, (request.params as { '*': string })['*'].replace(/\/+$/, '')) });
}
