import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { apps } from './apps/index.ts';
import { openBlobs, type Blobs } from './blobs/index.ts';
import type { PodConfig } from './config.ts';
import { startGateway, type Gateway } from './gateway/server.ts';
import { openMessenger } from './messenger/index.ts';
import type { Consumer, Messenger } from './messenger/messenger.ts';
import { Metrics } from './metrics.ts';
import type { AppSettings } from './runtime/app.ts';
import { createAppContext } from './runtime/context.ts';
import { startHealthServer, type HealthServer } from './health-server.ts';
import { AppRunner } from './runtime/runner.ts';
import { openStore, type Store } from './store/index.ts';

export const version: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunningPod {
  url: string;
  store: Store;
  messenger: Messenger;
  /** Absent in an application-server process (role `apps`). */
  gateway?: Gateway;
  /** Present where the files app or a gateway runs. */
  blobs?: Blobs;
  log: Logger;
  close(): Promise<void>;
}

/** The server's logger, on stdout unless given a destination (tests read what it writes). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { service: 'pod' }, redact: { paths: ['*.password', '*.token', '*.current', '*.next', 'headers.authorization'], censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** What application servers may read of the configuration. */
export function appSettingsOf(config: PodConfig): AppSettings {
  return {
    openRegistration: config.openRegistration,
    presenceGraceMs: config.presenceGraceMs,
    presenceLeaseMs: config.presenceLeaseMs,
    filesQuotaBytes: config.filesQuotaBytes,
    filesVersions: config.filesVersions,
    filesUploadTtlMs: config.filesUploadTtlMs,
    filesGcGraceMs: config.filesGcGraceMs,
  };
}

/**
 * Starts this process's part of the pod (`config.role`): store and messenger, then the chosen
 * application servers (`all`, `apps`) and the gateway (`all`, `gateway`). An application-server
 * process answers /healthz and /metrics on its port, for load balancers and Prometheus.
 */
export async function startPod(config: PodConfig, log: Logger = createLogger(config.logLevel)): Promise<RunningPod> {
  const store = await openStore(config.databaseUrl);
  let messenger: Messenger;
  let blobs: Blobs | undefined;
  try {
    // Gateways take and serve file bytes; the files app checks and collects them.
    if (config.role !== 'apps' || config.apps.includes('files')) blobs = await openBlobs(config.blobsUrl, log, store.db);
    messenger = await openMessenger(config, log);
  } catch (error) {
    await blobs?.close();
    await store.close();
    throw error;
  }
  const metrics = new Metrics();
  const appSettings = appSettingsOf(config);
  const consumers: Consumer[] = [];
  const stoppers: Array<() => void> = [];
  let gateway: Gateway | undefined;
  let healthServer: HealthServer | undefined;
  const stopAll = async () => {
    await gateway?.close();
    await healthServer?.close();
    for (const stop of stoppers) stop();
    // Last started, first stopped: an app still finishing a request may call those registered
    // before it (im and presence ask the directory), which must still be answering.
    for (const consumer of [...consumers].reverse()) await consumer.stop();
    await messenger.close();
    await store.close();
    await blobs?.close();
  };
  try {
    if (config.role !== 'gateway') {
      for (const app of apps.filter((a) => config.apps.includes(a.name))) {
        const ctx = createAppContext(app.name, store, messenger, appSettings, metrics, log, blobs);
        const runner = new AppRunner(app, ctx, store, messenger, metrics, log.child({ app: app.name }));
        consumers.push(await messenger.consume(app.name, runner.handle));
        if (app.start) stoppers.push(app.start(ctx));
      }
    }
    const listen = { host: config.host, port: config.port, tls: config.tls };
    if (config.role === 'apps') {
      healthServer = await startHealthServer(listen, { role: config.role, apps: config.apps, store, version, metrics });
    } else {
      gateway = await startGateway(
        { ...listen, origins: config.origins, trustProxy: config.trustProxy, heartbeatMs: config.heartbeatMs, presenceLeaseMs: config.presenceLeaseMs, missedDeliveryCheckMs: config.missedDeliveryCheckMs, gatewayId: randomUUID(), version },
        store,
        messenger,
        blobs!,
        metrics,
        log,
      );
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  log.info({ role: config.role, apps: config.role === 'gateway' ? [] : config.apps, store: store.kind, messenger: config.natsUrl ? 'nats' : 'local' }, 'pod started');
  let closing: Promise<void> | undefined;
  return {
    url: (gateway ?? healthServer)!.url,
    store,
    messenger,
    gateway,
    blobs,
    log,
    close() {
      closing ??= stopAll();
      return closing;
    },
  };
}
