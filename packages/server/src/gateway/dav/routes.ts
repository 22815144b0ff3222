import { PodError } from '@pod/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../deps.ts';
import { hasBody } from './body.ts';
import { mkcol, remove } from './collections.ts';
import { get, put } from './content.ts';
import { davCaller, DavStatus, DAV_PREFIX, pathOfUrl, type Dav } from './context.ts';
import { copyOrMove } from './copy-move.ts';
import { lock, unlock } from './locks.ts';
import { propfind, proppatch } from './props.ts';
import { DAV, davDocument, element } from './xml.ts';

const METHODS = ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'] as const;
type Method = (typeof METHODS)[number];

const handlers: Record<Exclude<Method, 'OPTIONS'>, (dav: Dav) => Promise<void>> = {
  GET: get,
  HEAD: get,
  PUT: put,
  DELETE: remove,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  MKCOL: mkcol,
  COPY: (dav) => copyOrMove(dav, false),
  MOVE: (dav) => copyOrMove(dav, true),
  LOCK: lock,
  UNLOCK: unlock,
};

/** Registers the WebDAV methods Fastify does not know, once per server. */
export function addDavMethods(app: FastifyInstance): void {
  for (const method of ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK']) {
    if (!app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }
}

/**
 * WebDAV (RFC 4918, classes 1 and 2) at /dav/: the caller's own tree, authenticated with an
 * app password. Every method becomes operations of the files app, which checks access as for
 * any client; locks and dead properties live in its store, so all gateways agree.
 */
export function registerDavRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const method = request.method as Method;
    try {
      if (method === 'OPTIONS') {
        await hasBody(request);
        return reply.code(200).header('dav', '1, 2').header('ms-author-via', 'DAV').header('allow', METHODS.join(', ')).header('content-length', '0').send();
      }
      const path = pathOfUrl(request.url);
      const caller = await davCaller(deps, request.headers.authorization);
      await handlers[method]({ deps, caller, path, request, reply });
    } catch (error) {
      await answerError(deps, request, reply, error);
    }
    return reply;
  };
  app.route({ method: [...METHODS], url: DAV_PREFIX, handler: handle });
  app.route({ method: [...METHODS], url: `${DAV_PREFIX}/*`, handler: handle });
}

/** A refusal as WebDAV clients expect it: the status the RFC names, and for Pod errors the usual JSON body. */
async function answerError(deps: GatewayDeps, request: FastifyRequest, reply: FastifyReply, error: unknown): Promise<void> {
  if (reply.sent) return;
  // A body the handler did not read is drained (bounded by the client), or the connection would carry it into the next request.
  if (!request.raw.readableEnded) reply.header('connection', 'close');
  if (error instanceof DavStatus) {
    reply.code(error.status);
    if (error.condition) reply.type('application/xml; charset=utf-8').send(davDocument('error', element(DAV, error.condition)));
    else reply.type('text/plain; charset=utf-8').send(`${error.message}\n`);
    return;
  }
  if (!(error instanceof PodError)) {
    deps.log.error({ err: error, method: request.method, url: request.url }, 'WebDAV request failed');
    reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
    return;
  }
  let status = error.httpStatus;
  if (error.code === 'conflict' && error.data?.locked !== undefined) status = 423;
  if (error.code === 'invalid' && error.data?.badToken) status = 412;
  if (error.code === 'unauthorized') reply.header('www-authenticate', 'Basic realm="Pod WebDAV", charset="UTF-8"');
  if (error.code === 'too_large' && error.data?.quotaBytes !== undefined) status = 507;
  if (error.code === 'unavailable' || error.code === 'rate_limited') reply.header('retry-after', String(error.data?.retryAfterSeconds ?? 1));
  reply.code(status).send({ error: error.toBody() });
}
