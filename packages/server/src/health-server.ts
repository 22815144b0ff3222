import Fastify from 'fastify';
import { sql } from 'kysely';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.ts';
import type { Store } from './store/index.ts';

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The HTTP face of an application-server process (role `apps`): /healthz, which answers 503
 * while the store cannot be reached, and /metrics. It serves no client traffic.
 */
export async function startHealthServer(
  listen: { host: string; port: number; tls?: { cert: string; key: string } },
  info: { role: string; apps: string[]; store: Store; version: string; metrics: Metrics },
): Promise<HealthServer> {
  const https = listen.tls ? { key: readFileSync(listen.tls.key), cert: readFileSync(listen.tls.cert) } : null;
  const app = Fastify({ logger: false, https });
  const startedAt = new Date().toISOString();
  app.get('/healthz', async (_request, reply) => {
    const storeOk = await storeAnswers(info.store);
    return reply.code(storeOk ? 200 : 503).send({ status: storeOk ? 'ok' : 'store unreachable', role: info.role, apps: info.apps, version: info.version, store: info.store.kind, startedAt });
  });
  app.get('/metrics', async (_request, reply) => reply.type(info.metrics.registry.contentType).send(await info.metrics.registry.metrics()));
  await app.listen({ host: listen.host, port: listen.port });
  const address = app.server.address() as AddressInfo;
  return {
    url: `${https ? 'https' : 'http'}://${listen.host === 'localhost' ? 'localhost' : address.address}:${address.port}`,
    close: () => app.close(),
  };
}

/** Whether the store answers a trivial query now: what a health check should know. */
export function storeAnswers(store: Store): Promise<boolean> {
  return sql`select 1`.execute(store.db).then(
    () => true,
    () => false,
  );
}
