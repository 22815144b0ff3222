import { PodError } from '@pod/protocol';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.ts';
import { mailboxHead, mailboxHeads, readCursor } from '../mailbox/mailbox.repo.ts';
import type { Messenger } from '../messenger/messenger.ts';
import type { Metrics } from '../metrics.ts';
import type { Store } from '../store/index.ts';
import { storeAnswers } from '../health-server.ts';
import type { CoreTables } from '../store/schema.ts';
import { resolveToken } from './auth.ts';
import { CursorWriter } from './cursors.ts';
import type { GatewayDeps } from './deps.ts';
import { addDavMethods, registerDavRoutes } from './dav/routes.ts';
import { registerFileRoutes } from './files-http.ts';
import { registerLinkRoutes } from './link-http.ts';
import { registerApiRoutes, sendError } from './http.ts';
import { SocketHub } from './sockets.ts';
import { statusPage } from './status-page.ts';
import { DEFAULT_WEB_ROOT, registerWebApp } from './web-static.ts';
import { registerWebSession } from './web-session.ts';

export interface GatewayOptions {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  /** Extra browser origins allowed to open the WebSocket, besides the server's own. */
  origins: string[];
  /** Proxies whose X-Forwarded-For names the client (for per-address limits); see PodConfig. */
  trustProxy: string[];
  heartbeatMs: number;
  presenceLeaseMs: number;
  /** How often open connections are checked for live deliveries the messenger lost. */
  missedDeliveryCheckMs: number;
  gatewayId: string;
  version: string;
  /** The built pod application (packages/web/dist unless given); without it `/` is a status page. */
  webRoot?: string;
}

export interface Gateway {
  url: string;
  hub: SocketHub;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 256 * 1024;

export async function startGateway(options: GatewayOptions, store: Store, messenger: Messenger, blobs: Blobs, metrics: Metrics, log: Logger): Promise<Gateway> {
  const coreDb = store.db as unknown as Kysely<CoreTables>;
  const cursors = new CursorWriter(coreDb, log);
  const deps: GatewayDeps = {
    messenger,
    blobs,
    coreDb,
    cursors,
    metrics,
    log,
    heartbeatMs: options.heartbeatMs,
    resolveToken: (token) => resolveToken(messenger, token),
    mailboxHead: (userId) => mailboxHead(coreDb, userId),
    mailboxHeads: (userIds) => mailboxHeads(coreDb, userIds),
    cursorOf: (session) => readCursor(coreDb, session),
  };
  const https = options.tls ? { key: readFileSync(options.tls.key), cert: readFileSync(options.tls.cert) } : null;
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    https,
    trustProxy: options.trustProxy.length > 0 ? options.trustProxy : false,
    // Fastify answers a URL it cannot decode (or an over-long parameter) before any route or
    // error handler runs, in its own shape; clients must get a Pod error there too.
    frameworkErrors: (error, _request, reply) => sendError(reply, { code: 'invalid', message: `bad request: ${error.message}` }),
  }) as unknown as FastifyInstance;
  const startedAt = new Date();

  app.addHook('onResponse', async (request, reply) => {
    log.info({ method: request.method, path: request.routeOptions.url ?? request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http');
  });
  app.setErrorHandler((error: FastifyError | PodError, _request, reply) => {
    if (error instanceof PodError) return sendError(reply, error.toBody());
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, { code: 'too_large', message: `a request body has at most ${MAX_BODY_BYTES} bytes` });
    if (error.statusCode && error.statusCode < 500) return sendError(reply, { code: 'invalid', message: `bad request: ${error.message}` });
    log.error({ err: error }, 'http request failed');
    return sendError(reply, { code: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));

  registerWebSession(app, deps, options.origins);
  if (!registerWebApp(app, options.webRoot ?? DEFAULT_WEB_ROOT)) {
    app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(statusPage({ version: options.version, startedAt })));
  }
  app.get('/healthz', async (_request, reply) => {
    const storeOk = await storeAnswers(store);
    return reply.code(storeOk ? 200 : 503).send({ status: storeOk ? 'ok' : 'store unreachable', version: options.version, gateway: options.gatewayId, store: store.kind, startedAt: startedAt.toISOString() });
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  registerApiRoutes(app, deps);
  await app.register(async (scope) => registerFileRoutes(scope, deps));
  registerLinkRoutes(app, deps);
  addDavMethods(app);
  await app.register(async (scope) => registerDavRoutes(scope, deps));

  const hub = new SocketHub(deps, { gatewayId: options.gatewayId, origins: options.origins, trustProxy: options.trustProxy, presenceLeaseMs: options.presenceLeaseMs, missedDeliveryCheckMs: options.missedDeliveryCheckMs });
  app.server.on('upgrade', (request, socket, head) => {
    if (request.url?.split('?')[0] !== '/v1/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    void hub.upgrade(request, socket, head);
  });

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${https ? 'https' : 'http'}://${options.host === 'localhost' ? 'localhost' : host}:${address.port}`;
  return {
    url,
    hub,
    async close() {
      await hub.close();
      await app.close();
      await cursors.flush();
    },
  };
}
