import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { deleteNatsStreams } from '../../src/messenger/nats.ts';

/**
 * Which engines a test pod runs on: `embedded` (SQLite in the data directory, the local
 * messenger) or `distributed` (PostgreSQL and NATS JetStream), from POD_TEST_PROFILE.
 */
export type TestProfile = 'embedded' | 'distributed';

export function testProfile(): TestProfile {
  const profile = process.env.POD_TEST_PROFILE ?? 'embedded';
  if (profile !== 'embedded' && profile !== 'distributed') throw new Error(`POD_TEST_PROFILE must be embedded or distributed, not "${profile}"`);
  return profile;
}

/** The store kind a test pod of this profile runs on. */
export function expectedStoreKind(): 'sqlite' | 'postgres' {
  return testProfile() === 'embedded' ? 'sqlite' : 'postgres';
}

/** The PostgreSQL server of the distributed profile: the machine's own, trust auth. */
export const TEST_POSTGRES_URL = process.env.POD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** scripts/test.js names its run, and drops the schemas and streams a failed test left behind. */
function testRun(): string {
  return /^[a-z0-9]{1,16}$/.test(process.env.POD_TEST_RUN ?? '') ? process.env.POD_TEST_RUN! : 'adhoc';
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A store of its own for one test pod. Embedded: the SQLite file in its data directory.
 * Distributed: a fresh PostgreSQL schema with a random name, so parallel test files and
 * runs never share tables; `drop` removes it and everything in it.
 */
export async function createTestDatabase(dataDir: string): Promise<TestDatabase> {
  if (testProfile() === 'embedded') return { url: `sqlite:${join(dataDir, 'pod.db')}`, drop: async () => {} };
  const schema = `pod_test_${testRun()}_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create schema ${schema}`));
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop() {
      dropped ??= admin(async (client) => {
        await client.query(`drop schema if exists ${schema} cascade`);
      });
      return dropped;
    },
  };
}

/** The machine's NATS with JetStream, for the distributed profile. */
export const TEST_NATS_URL = process.env.POD_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Where a test pod keeps its truth and how its processes meet, for the test profile. */
export interface TestEngines {
  databaseUrl: string;
  natsUrl?: string;
  natsPrefix: string;
  /** Where file chunks go: undefined for the default (`<data>/blobs` on disk). */
  blobsUrl?: string;
  /** The same, as the environment of a `pod serve` process. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

const S3_BUCKET = 'pod-test';
const S3_KEYS = 'S3RVER:S3RVER';

/**
 * An S3-compatible server of its own (npm's s3rver, in this process) with an empty bucket,
 * for the distributed profile's blobs; `close` stops it and removes what it stored.
 */
async function startS3(): Promise<{ url: string; close(): Promise<void> }> {
  // The SDK warns once per process that its releases from 2027 on need Node 22; the pinned one runs on Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const directory = mkdtempSync(join(tmpdir(), 'pod-test-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: S3_BUCKET, configs: [] }] });
  try {
    const { port } = await server.run();
    return {
      url: `s3://${S3_KEYS}@${S3_BUCKET}/blobs/?endpoint=http://127.0.0.1:${port}`,
      async close() {
        await server.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A store, a messenger and blob storage of its own for one test pod. Distributed: a fresh
 * PostgreSQL schema, a NATS prefix of its own (so its JetStream stream and subjects meet no
 * other run's) and an S3-compatible bucket (s3rver), all removed by `drop`. Embedded: SQLite
 * in the data directory, the in-process messenger and blobs on disk.
 */
export async function createTestEngines(dataDir: string): Promise<TestEngines> {
  const database = await createTestDatabase(dataDir);
  if (testProfile() === 'embedded') {
    return { databaseUrl: database.url, natsPrefix: 'pod', env: { POD_DATABASE_URL: database.url }, drop: () => database.drop() };
  }
  const natsPrefix = `podtest-${testRun()}-${randomBytes(6).toString('hex')}`;
  let s3: Awaited<ReturnType<typeof startS3>>;
  try {
    s3 = await startS3();
  } catch (error) {
    await database.drop();
    throw error;
  }
  let dropped: Promise<void> | undefined;
  return {
    databaseUrl: database.url,
    natsUrl: TEST_NATS_URL,
    natsPrefix,
    blobsUrl: s3.url,
    env: { POD_DATABASE_URL: database.url, POD_NATS_URL: TEST_NATS_URL, POD_NATS_PREFIX: natsPrefix, POD_BLOBS_URL: s3.url },
    drop() {
      dropped ??= Promise.all([database.drop(), deleteNatsStreams(TEST_NATS_URL, natsPrefix), s3.close()]).then(() => {});
      return dropped;
    },
  };
}
