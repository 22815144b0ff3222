import { PodError } from '@pod/protocol';
import type { Command } from 'commander';
import { jsonOption, outputFor } from '../output.ts';

interface ServeFlags {
  data?: string;
  databaseUrl?: string;
  host?: string;
  port?: string;
  openRegistration?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  origins?: string;
  trustProxy?: string;
  heartbeatMs?: string;
  presenceGraceMs?: string;
  presenceLeaseMs?: string;
  missedDeliveryCheckMs?: string;
  logLevel?: string;
  natsUrl?: string;
  natsPrefix?: string;
  role?: string;
  apps?: string;
  blobsUrl?: string;
  filesQuotaBytes?: string;
  filesVersions?: string;
  filesUploadTtlMs?: string;
  filesGcGraceMs?: string;
}

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the pod, or with --role one part of it (gateways and application servers in separate processes)')
    .option('--data <dir>', 'data directory [env POD_DATA, default ./data]')
    .option('--database-url <url>', 'store to use [env POD_DATABASE_URL, default sqlite:<data>/pod.db]')
    .option('--host <host>', 'address to listen on [env POD_HOST, default localhost]')
    .option('--port <n>', 'port to listen on, 0 for any free one [env POD_PORT, default 8080]')
    .option('--open-registration', 'let anyone create an account over the API [env POD_OPEN_REGISTRATION, default off]')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS and WSS [env POD_TLS_CERT]')
    .option('--tls-key <file>', 'PEM private key for --tls-cert [env POD_TLS_KEY]')
    .option('--origins <list>', 'comma-separated extra browser origins allowed on the WebSocket [env POD_ORIGINS]')
    .option('--trust-proxy <list>', 'comma-separated proxies (addresses, CIDRs or "loopback") whose X-Forwarded-For names the client [env POD_TRUST_PROXY]')
    .option('--heartbeat-ms <ms>', 'client heartbeat interval [env POD_HEARTBEAT_MS, default 25000]')
    .option('--presence-grace-ms <ms>', 'how long a silent device stays online [env POD_PRESENCE_GRACE_MS, default 10000]')
    .option('--presence-lease-ms <ms>', 'how long a gateway\'s word on its devices lasts [env POD_PRESENCE_LEASE_MS, default 90000]')
    .option('--missed-delivery-check-ms <ms>', 'how often a gateway checks its clients for live deliveries the messenger lost [env POD_MISSED_DELIVERY_CHECK_MS, default 1000]')
    .option('--nats-url <url>', 'NATS with JetStream as the messenger, for several processes [env POD_NATS_URL, default in-process]')
    .option('--nats-prefix <name>', 'names this deployment\'s NATS stream and subjects [env POD_NATS_PREFIX, default pod]')
    .option('--role <role>', 'all (gateway and application servers), gateway, or apps; gateway and apps need --nats-url and a postgres:// --database-url [env POD_ROLE, default all]')
    .option('--apps <list>', 'comma-separated application servers to run, of directory, presence, im, files, announcements [env POD_APPS, default all]')
    .option('--blobs-url <url>', 'where file chunks are stored: file:DIR or s3://BUCKET?endpoint=URL; every process of a pod must share it [env POD_BLOBS_URL, default file:<data>/blobs]')
    .option('--files-quota-bytes <n>', 'bytes of files each user may keep, earlier versions and trash included; 0 for no limit [env POD_FILES_QUOTA_BYTES, default 0]')
    .option('--files-versions <n>', 'earlier versions kept of each file [env POD_FILES_VERSIONS, default 10]')
    .option('--files-upload-ttl-ms <ms>', 'how long an unfinished upload stays resumable [env POD_FILES_UPLOAD_TTL_MS, default 86400000]')
    .option('--files-gc-grace-ms <ms>', 'how long a chunk no file uses is kept before it is deleted [env POD_FILES_GC_GRACE_MS, default 3600000]')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent [env POD_LOG_LEVEL, default info]')
    .addHelpText(
      'after',
      '\nSettings come from flags, then POD_* environment variables, then a JSON config file\n' +
        '(POD_CONFIG, default <data>/pod.json) whose keys are the flags in camelCase\n' +
        '(for example {"port": 8080, "openRegistration": true}). Logs are JSON lines on stdout.',
    );
  jsonOption(serve).action((flags: ServeFlags & { json?: boolean }, command: Command) => runServe(flags, command));
}

async function runServe(flags: ServeFlags, command: Command): Promise<void> {
  const out = outputFor(command);
  // The server and its native modules load only for the commands that need them.
  const { createLogger, isLoopback, resolveConfig, startPod, version } = await import('@pod/server');
  const { json: _json, ...settings } = flags as ServeFlags & { json?: boolean };
  const config = resolveConfig(settings);

  let stopRequested: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => (stopRequested = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      out.note(`${signal} again: stopping at once`);
      process.exit(130);
    }
    stopRequested(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const log = createLogger(config.logLevel);
  let pod: Awaited<ReturnType<typeof startPod>>;
  try {
    pod = await startPod(config, log);
  } catch (error) {
    throw listenError(error, config.host, config.port);
  }

  const warnings: string[] = [];
  if (!config.tls && !isLoopback(config.host)) {
    warnings.push(
      `listening on ${config.host} without TLS: passwords and session tokens cross the network in clear text. ` +
        'Add --tls-cert FILE --tls-key FILE (or POD_TLS_CERT and POD_TLS_KEY), or serve Pod on localhost behind a TLS proxy.',
    );
  }
  for (const warning of warnings) out.note(`warning: ${warning}`);
  if (config.role !== 'all') {
    const part = config.role === 'gateway' ? 'gateway' : `application servers (${config.apps.join(', ')})`;
    out.result({ url: pod.url, version, role: config.role, apps: config.role === 'apps' ? config.apps : [], store: pod.store.kind, warnings }, (info) => [
      `Pod ${info.version}: ${part} running; ${config.role === 'gateway' ? 'clients connect to' : 'health and metrics at'} ${info.url}`,
      'Stop with Ctrl-C.',
    ]);
    return waitForStop(await stopped, pod, out, onSignal);
  }
  const dataFlag = `--data ${shellQuote(config.dataDir)}`;
  out.result(
    { url: pod.url, version, dataDir: config.dataDir, store: pod.store.kind, tls: Boolean(config.tls), openRegistration: config.openRegistration, warnings },
    (info) => [
      `Pod ${info.version} is listening on ${info.url}`,
      `Data: ${info.dataDir}`,
      'Create the first account (this works while the server runs):',
      `  printf '%s\\n' 'a long password' | npx pod user create NAME --admin --password-stdin ${dataFlag}`,
      'Then sign in:',
      `  printf '%s\\n' 'a long password' | npx pod login --server ${info.url} --user NAME --password-stdin`,
      'Stop with Ctrl-C.',
    ],
  );

  await waitForStop(await stopped, pod, out, onSignal);
}

async function waitForStop(signal: NodeJS.Signals, pod: { close(): Promise<void> }, out: ReturnType<typeof outputFor>, onSignal: (signal: NodeJS.Signals) => void): Promise<void> {
  await pod.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (!out.json) out.note(`Pod stopped (${signal})`);
}

function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') return new PodError('unavailable', `cannot listen on ${host}:${port}: the address is in use; choose another with --port`);
  if (code === 'EACCES') return new PodError('forbidden', `cannot listen on ${host}:${port}: permission denied; choose a port above 1023 with --port`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new PodError('invalid', `cannot listen on ${host}: no such address on this machine; check --host`);
  return error;
}

function shellQuote(text: string): string {
  return /^[\w./:@=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
