/**
 * The pod under test, seeded and running, in either profile: embedded (SQLite, in-process
 * messenger, one process) or distributed (gateway and app-server processes on a fresh
 * PostgreSQL schema and NATS prefix, both removed when it stops, also on failure).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from '../im/cluster.ts';
import { startPodServer } from '../im/processes.ts';
import { seedBench, type Seeded } from './seed.ts';

export type Profile = 'embedded' | 'distributed';

export interface ProfileOptions {
  members: number;
  searchMessages: number;
  gateways: number;
  apps: number;
  natsUrl: string;
  postgresUrl: string;
}

export interface RunningPod {
  profile: Profile;
  /** How its processes were started, for the report. */
  how: string[];
  /** Where clients connect: the pod, or each gateway. */
  urls: string[];
  seeded: Seeded;
  stop(): Promise<void>;
}

export async function startProfile(profile: Profile, options: ProfileOptions, work: string, log: (text: string) => void): Promise<RunningPod> {
  if (profile === 'embedded') {
    const dataDir = join(work, 'embedded');
    mkdirSync(dataDir, { recursive: true });
    log(`embedded: seeding SQLite in ${dataDir}`);
    const seeded = await seedBench(`sqlite:${join(dataDir, 'pod.db')}`, options, log);
    const pod = await startPodServer({ dataDir, logFile: join(work, 'embedded.log'), entry: 'auto', nodeFlags: [] });
    log(`embedded: pod listening on ${pod.url}, pid ${pod.pid}`);
    return { profile, how: [pod.how], urls: [pod.url], seeded, stop: () => pod.stop() };
  }
  const cluster = await Cluster.create({ benchmark: 'rooms', gateways: options.gateways, apps: options.apps, natsUrl: options.natsUrl, postgresUrl: options.postgresUrl, work, nodeFlags: () => [] });
  log(`distributed: seeding PostgreSQL schema ${cluster.name}`);
  const seeded = await seedBench(cluster.databaseUrl('setup'), options, log);
  await cluster.start();
  const processes = [...cluster.gateways, ...cluster.appServers];
  log(`distributed: ${processes.map((p) => `${p.kind} pid ${p.pid}`).join(', ')}; gateways ${cluster.urls.join(' ')}`);
  return {
    profile,
    how: processes.map((p) => p.how),
    urls: cluster.urls,
    seeded,
    stop: async () => {
      await cluster.stop();
      log(`distributed: processes stopped, schema and NATS stream ${cluster.name} removed`);
    },
  };
}
