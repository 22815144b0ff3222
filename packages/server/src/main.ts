import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { apps } from './apps/index.ts';
import type { PodConfig } from './config.ts';
import { startGateway, type Gateway } from './gateway/server.ts';
import { openMessenger } from './messenger/index.ts';
import type { Consumer, Messenger } from './messenger/messenger.ts';
import { Metrics } from './metrics.ts';
import type { AppSettings } from './runtime/app.ts';
import { createAppContext } from './runtime/context.ts';
import { AppRunner } from './runtime/runner.ts';
import { openStore, type Store } from './store/index.ts';

export const version: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunningPod {
  url: string;
  store: Store;
  messenger: Messenger;
  gateway: Gateway;
  log: Logger;
  close(): Promise<void>;
}

/** The server's logger, on stdout unless given a destination (tests read what it writes). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { service: 'pod' }, redact: { paths: ['*.password', '*.token', '*.current', '*.next', 'headers.authorization'], censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** Starts the whole pod in this process: store, messenger, every application server, gateway. */
export async function startPod(config: PodConfig, log: Logger = createLogger(config.logLevel)): Promise<RunningPod> {
  const store = await openStore(config.databaseUrl);
  let messenger: Messenger;
  try {
    messenger = await openMessenger(config, log);
  } catch (error) {
    await store.close();
    throw error;
  }
  const metrics = new Metrics();
  const appSettings: AppSettings = { openRegistration: config.openRegistration, presenceGraceMs: config.presenceGraceMs, presenceLeaseMs: config.presenceLeaseMs };
  const consumers: Consumer[] = [];
  const stoppers: Array<() => void> = [];
  for (const app of apps) {
    const ctx = createAppContext(app.name, store, messenger, appSettings, log);
    const runner = new AppRunner(app, ctx, store, messenger, metrics, log.child({ app: app.name }));
    consumers.push(await messenger.consume(app.name, runner.handle));
    if (app.start) stoppers.push(app.start(ctx));
  }
  const gateway = await startGateway(
    { host: config.host, port: config.port, tls: config.tls, origins: config.origins, heartbeatMs: config.heartbeatMs, presenceLeaseMs: config.presenceLeaseMs, gatewayId: randomUUID(), version },
    store,
    messenger,
    metrics,
    log,
  );
  let closing: Promise<void> | undefined;
  return {
    url: gateway.url,
    store,
    messenger,
    gateway,
    log,
    close() {
      closing ??= (async () => {
        await gateway.close();
        for (const stop of stoppers) stop();
        for (const consumer of consumers) await consumer.stop();
        await messenger.close();
        await store.close();
      })();
      return closing;
    },
  };
}
