import { callOp, connectNode, login, type ClientOpName, type OpInput, type OpOutput, type PodClient, type PodClientOptions, type PodEvent } from '@pod/sdk/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createUserOffline, resolveConfig, startPod, type PodConfig, type RunningPod } from '../../src/index.ts';
import { createTestEngines } from './profile.ts';

export interface TestUser {
  name: string;
  password: string;
  token: string;
  op<N extends ClientOpName>(op: N, body: OpInput<N>): Promise<OpOutput<N>>;
  connect(options?: Partial<PodClientOptions>): Promise<PodClient>;
  /** Connects with a listener attached before the replay, so replayed events are kept too. */
  connectCollecting(options?: Partial<PodClientOptions>): Promise<{ client: PodClient; events: PodEvent[] }>;
}

export interface TestPod {
  url: string;
  dataDir: string;
  config: PodConfig;
  pod: RunningPod;
  /** Creates an account offline (as `pod user create` does) and signs it in. */
  user(name: string, options?: { admin?: boolean; messagesFrom?: 'anyone' | 'buddies' }): Promise<TestUser>;
  /** Stops the server and starts it again on the same data and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real server on a free port over a fresh temporary data directory and a store of its own
 * for the test profile (POD_TEST_PROFILE, see profile.ts), both removed on close.
 */
export async function startTestPod(overrides: Partial<PodConfig> & { keepData?: boolean } = {}): Promise<TestPod> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pod-test-'));
  const engines = await createTestEngines(dataDir);
  const config: PodConfig = {
    ...resolveConfig({ data: dataDir, port: 0, logLevel: process.env.POD_TEST_LOG ?? 'silent' }, {}),
    databaseUrl: engines.databaseUrl,
    natsUrl: engines.natsUrl,
    natsPrefix: engines.natsPrefix,
    ...(engines.blobsUrl ? { blobsUrl: engines.blobsUrl } : {}),
    ...overrides,
  };
  const log = createLogger(config.logLevel);
  let pod: RunningPod;
  try {
    pod = await startPod(config, log);
  } catch (error) {
    await engines.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const port = Number(new URL(pod.url).port);
  const clients: PodClient[] = [];
  const test: TestPod = {
    url: pod.url,
    dataDir,
    config,
    get pod() {
      return pod;
    },
    async user(name, options = {}) {
      const password = `${name}-secret-password`;
      await createUserOffline(config.databaseUrl, { name, password, admin: options.admin ?? false });
      const { token } = await login(pod.url, name, password, `${name}'s test device`);
      const user: TestUser = {
        name,
        password,
        token,
        op: (op, body) => callOp(test.url, token, op, body),
        async connect(clientOptions = {}) {
          const client = connectNode({ url: test.url, token, requestTimeoutMs: 5000, ...clientOptions });
          clients.push(client);
          await client.connect();
          return client;
        },
        async connectCollecting(clientOptions = {}) {
          const client = connectNode({ url: test.url, token, requestTimeoutMs: 5000, ...clientOptions });
          clients.push(client);
          const events: PodEvent[] = [];
          client.on('*', (event) => events.push(event));
          await client.connect();
          return { client, events };
        },
      };
      if (options.messagesFrom) await user.op('settings.update', { messagesFrom: options.messagesFrom });
      return user;
    },
    async restart() {
      await pod.close();
      // An outgoing connection of a parallel test can hold the port for a moment after close.
      for (let attempt = 1; ; attempt++) {
        try {
          pod = await startPod({ ...config, port }, log);
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt === 50) throw new Error(`restart on port ${port} failed`, { cause: error });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    async close() {
      for (const client of clients) client.close();
      await pod.close();
      if (!overrides.keepData) {
        await engines.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  return test;
}

/** Waits for the next event matching `predicate` on a client, failing after `ms`. */
export function nextEvent<T extends PodEvent = PodEvent>(client: PodClient, predicate: (event: PodEvent) => boolean, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no matching event within ${ms} ms`));
    }, ms);
    const stop = client.on('*', (event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event as T);
    });
  });
}

/** Makes two users buddies: a asks, b accepts. */
export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  await a.op('buddies.add', { name: b.name });
  await b.op('buddies.accept', { name: a.name });
}
