import { PodError } from '@pod/protocol';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { appNames } from './apps/names.ts';

export interface PodConfig {
  dataDir: string;
  databaseUrl: string;
  host: string;
  port: number;
  openRegistration: boolean;
  tls?: { cert: string; key: string };
  origins: string[];
  /** Proxies (addresses or CIDRs, `loopback`) whose X-Forwarded-For names the client; empty: the peer is the client. */
  trustProxy: string[];
  heartbeatMs: number;
  presenceGraceMs: number;
  presenceLeaseMs: number;
  /** How often a gateway compares its connections with their mailbox heads, to recover live deliveries the messenger lost. */
  missedDeliveryCheckMs: number;
  logLevel: string;
  /** `nats://...`: use NATS + JetStream as the messenger (the distributed profile); unset, the in-process one. */
  natsUrl?: string;
  /** Names this deployment's JetStream stream and NATS subjects. */
  natsPrefix: string;
  /** What this process runs: everything, only the gateway, or only application servers. */
  role: PodRole;
  /** The application servers this process runs (role `all` or `apps`). */
  apps: string[];
  /** Where file chunks live: `file:DIR` (default `<data>/blobs`) or `s3://BUCKET?endpoint=URL`. */
  blobsUrl: string;
  /** Logical bytes each user may keep in their files; 0: no limit. */
  filesQuotaBytes: number;
  /** Earlier versions kept of each file when it is overwritten. */
  filesVersions: number;
  /** How long an unfinished upload stays resumable (and its chunks protected) after its last activity. */
  filesUploadTtlMs: number;
  /** How long a chunk no file references survives before it is collected. */
  filesGcGraceMs: number;
}

export const podRoles = ['all', 'gateway', 'apps'] as const;
export type PodRole = (typeof podRoles)[number];

/** Every setting, as a flag (`--open-registration`), an environment variable (`POD_OPEN_REGISTRATION`) or a config-file key. */
const settings = z.strictObject({
  data: z.string().default('./data'),
  databaseUrl: z.string().optional(),
  host: z.string().default('localhost'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  openRegistration: z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]).default(false),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  origins: z.union([z.array(z.string()), z.string().transform((v) => v.split(',').filter(Boolean))]).default([]),
  trustProxy: z.union([z.array(z.string()), z.string().transform((v) => v.split(',').map((a) => a.trim()).filter(Boolean))]).default([]),
  heartbeatMs: z.coerce.number().int().min(100).default(25_000),
  presenceGraceMs: z.coerce.number().int().min(0).default(10_000),
  presenceLeaseMs: z.coerce.number().int().min(1000).default(90_000),
  missedDeliveryCheckMs: z.coerce.number().int().min(50).default(1000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  natsUrl: z.string().regex(/^(nats|tls):\/\//, 'use nats://host:port').optional(),
  natsPrefix: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'use 1-32 characters of A-Z, a-z, 0-9, "_" or "-"').default('pod'),
  role: z.enum(podRoles).default('all'),
  apps: z.union([z.array(z.string()), z.string().transform((v) => v.split(',').map((a) => a.trim()).filter(Boolean))]).optional(),
  blobsUrl: z.string().min(1).optional(),
  filesQuotaBytes: z.coerce.number().int().min(0).default(0),
  filesVersions: z.coerce.number().int().min(0).max(1000).default(10),
  filesUploadTtlMs: z.coerce.number().int().min(1000).default(24 * 60 * 60 * 1000),
  filesGcGraceMs: z.coerce.number().int().min(0).default(60 * 60 * 1000),
});

const envNames: Record<keyof z.input<typeof settings>, string> = {
  data: 'POD_DATA',
  databaseUrl: 'POD_DATABASE_URL',
  host: 'POD_HOST',
  port: 'POD_PORT',
  openRegistration: 'POD_OPEN_REGISTRATION',
  tlsCert: 'POD_TLS_CERT',
  tlsKey: 'POD_TLS_KEY',
  origins: 'POD_ORIGINS',
  trustProxy: 'POD_TRUST_PROXY',
  heartbeatMs: 'POD_HEARTBEAT_MS',
  presenceGraceMs: 'POD_PRESENCE_GRACE_MS',
  presenceLeaseMs: 'POD_PRESENCE_LEASE_MS',
  missedDeliveryCheckMs: 'POD_MISSED_DELIVERY_CHECK_MS',
  logLevel: 'POD_LOG_LEVEL',
  natsUrl: 'POD_NATS_URL',
  natsPrefix: 'POD_NATS_PREFIX',
  role: 'POD_ROLE',
  apps: 'POD_APPS',
  blobsUrl: 'POD_BLOBS_URL',
  filesQuotaBytes: 'POD_FILES_QUOTA_BYTES',
  filesVersions: 'POD_FILES_VERSIONS',
  filesUploadTtlMs: 'POD_FILES_UPLOAD_TTL_MS',
  filesGcGraceMs: 'POD_FILES_GC_GRACE_MS',
};

/** Flags win over environment variables, which win over the config file (`POD_CONFIG` or `<data>/pod.json`). */
export function resolveConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): PodConfig {
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(envNames)) if (env[name] !== undefined && env[name] !== '') fromEnv[key] = env[name];
  const definedFlags = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const dataGuess = (definedFlags.data ?? fromEnv.data ?? './data') as string;
  const file = env.POD_CONFIG ?? join(dataGuess, 'pod.json');
  const fromFile = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const parsed = settings.safeParse({ ...fromFile, ...fromEnv, ...definedFlags });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PodError('invalid', `setting ${issue.path.join('.')}: ${issue.message}`);
  }
  const s = parsed.data;
  if ((s.tlsCert === undefined) !== (s.tlsKey === undefined)) throw new PodError('invalid', 'TLS needs both --tls-cert and --tls-key');
  const dataDir = resolve(s.data);
  const databaseUrl = s.databaseUrl ?? `sqlite:${join(dataDir, 'pod.db')}`;
  const apps = s.apps ?? [...appNames];
  const unknown = apps.filter((name) => !(appNames as readonly string[]).includes(name));
  if (unknown.length > 0) throw new PodError('invalid', `no application server named ${unknown.join(', ')}; choose from ${appNames.join(', ')}`);
  if (apps.length === 0 && s.role === 'apps') throw new PodError('invalid', '--apps names no application server');
  if (s.apps !== undefined && s.role === 'gateway') throw new PodError('invalid', '--apps chooses application servers; a gateway runs none (use --role apps or all)');
  if (s.role !== 'all' && !s.natsUrl) throw new PodError('invalid', `--role ${s.role} runs part of a pod; the parts meet through NATS, so set --nats-url nats://HOST:4222 on every process`);
  if (s.role !== 'all' && !databaseUrl.startsWith('postgres')) throw new PodError('invalid', `--role ${s.role} runs part of a pod; every part must share one store, so set --database-url postgres://...`);
  return {
    dataDir,
    databaseUrl,
    host: s.host,
    port: s.port,
    openRegistration: s.openRegistration,
    tls: s.tlsCert && s.tlsKey ? { cert: s.tlsCert, key: s.tlsKey } : undefined,
    origins: s.origins,
    trustProxy: s.trustProxy,
    heartbeatMs: s.heartbeatMs,
    presenceGraceMs: s.presenceGraceMs,
    presenceLeaseMs: s.presenceLeaseMs,
    missedDeliveryCheckMs: s.missedDeliveryCheckMs,
    logLevel: s.logLevel,
    natsUrl: s.natsUrl,
    natsPrefix: s.natsPrefix,
    role: s.role,
    apps,
    blobsUrl: s.blobsUrl ?? `file:${join(dataDir, 'blobs')}`,
    filesQuotaBytes: s.filesQuotaBytes,
    filesVersions: s.filesVersions,
    filesUploadTtlMs: s.filesUploadTtlMs,
    filesGcGraceMs: s.filesGcGraceMs,
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
