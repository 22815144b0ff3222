/**
 * `npm run bench -- files [flags]`: Pod's file transfers through the real server and the SDK,
 * and through WebDAV when the server has it, each as a ratio to the machine's limit measured
 * in the same run by a bare node:http server. See --help.
 */
import { login } from '@pod/sdk/node';
import { createUserOffline } from '@pod/server';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster } from '../im/cluster.ts';
import { freePort, installCleanup, killAll, launch, repoRoot, runCleanups, startPodServer, type ServerProcess } from '../im/processes.ts';
import { randomContent, writeEdited, writeRandomFile } from './data.ts';
import { measureLimit } from './limit.ts';
import { bigLabel, type Measurement, type Workload } from './measure.ts';
import { measurePod } from './pod-phases.ts';
import { render, summarize, writeJson, type FilesResult } from './report.ts';
import { davCredentials } from './dav-auth.ts';
import { hasWebDav, measureWebDav } from './webdav.ts';
import { ENGINE_FLAGS, parseFlags } from '../flags.ts';

const HELP = `npm run bench -- files [flags]

Each run: the machine's limit (a bare node:http server streaming a PUT into a file with SHA-256
and fdatasync, and serving GET), then Pod through the SDK (uploadFile/downloadFile): one large
file up and down, the same file again (bytes sent should be about zero), the file with 1 MiB
changed in the middle (bytes sent about the changed chunks), and small files one at a time and
several at once; then WebDAV (/dav/, HTTP Basic with an app password, keep-alive client) when
the server answers OPTIONS /dav/ with a DAV header. The table shows medians over the runs.

  --big-mib N       the large file, MiB (default 1024)
  --small-kib N     each small file, KiB (default 100)
  --small-count N   small files (default 1000)
  --parallel N      small files at once in the parallel phases (default 8)
  --quick           --big-mib 128 --small-count 200
  --runs N          runs (default 1); each uses new content, so nothing is deduplicated across runs
  --profile P       embedded (default) | distributed (one gateway and one app-server process on
                    PostgreSQL and NATS, blobs on disk)
  --nats-url U      (default nats://127.0.0.1:4222)
  --postgres-url U  (default postgres://postgres@127.0.0.1:5432/postgres)
  --skip-limit | --skip-pod | --skip-webdav
  --cpu-prof        profile the server processes (.cpuprofile under bench/results/prof/)
  --keep-data       keep the temporary directory
  --out FILE        write the JSON there instead of bench/results/files-<time>.json`;

function flags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'big-mib': { type: 'string' },
      'small-kib': { type: 'string', default: '100' },
      'small-count': { type: 'string' },
      parallel: { type: 'string', default: '8' },
      quick: { type: 'boolean', default: false },
      runs: { type: 'string', default: '1' },
      ...ENGINE_FLAGS,
      'skip-limit': { type: 'boolean', default: false },
      'skip-pod': { type: 'boolean', default: false },
      'skip-webdav': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const num = (name: string, value: string | undefined, min: number, max: number): number => {
    const v = Number(value);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
    return v;
  };
  if (values.profile !== 'embedded' && values.profile !== 'distributed') throw new Error('--profile is embedded or distributed');
  return {
    help: values.help!,
    bigBytes: num('big-mib', values['big-mib'] ?? (values.quick ? '128' : '1024'), 2, 64 * 1024) * 1024 * 1024,
    smallBytes: num('small-kib', values['small-kib'], 1, 64 * 1024) * 1024,
    smallCount: num('small-count', values['small-count'] ?? (values.quick ? '200' : '1000'), 1, 100_000),
    parallel: num('parallel', values.parallel, 1, 64),
    runs: num('runs', values.runs, 1, 20),
    distributed: values.profile === 'distributed',
    natsUrl: values['nats-url']!,
    postgresUrl: values['postgres-url']!,
    limit: !values['skip-limit'],
    pod: !values['skip-pod'],
    webdav: !values['skip-webdav'],
    cpuProf: values['cpu-prof']!,
    keepData: values['keep-data']!,
    out: values.out,
  };
}

const log = (line: string) => console.log(line);
const USER = { name: 'bencher', password: 'bench-files-password', admin: false };

export async function run(argv: string[]): Promise<number> {
  const options = parseFlags(flags, argv, HELP);
  if (typeof options === 'number') return options;
  installCleanup();
  const work = mkdtempSync(join(tmpdir(), 'pod-bench-files-'));
  const profDir = join(repoRoot, 'bench/results/prof');
  const nodeFlags = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  if (options.cpuProf) mkdirSync(profDir, { recursive: true });
  const result: FilesResult = {
    benchmark: 'files',
    startedAt: new Date().toISOString(),
    machine: { cpus: availableParallelism(), node: process.version, loadAverage: loadavg() },
    options: { ...options, work },
    server: '',
    webdav: options.webdav ? 'not measured' : 'skipped (--skip-webdav)',
    measurements: [],
  };
  log(`files benchmark: ${bigLabel(options.bigBytes)} file, ${options.smallCount} x ${options.smallBytes / 1024} KiB, ${options.runs} run(s), ${options.distributed ? 'distributed' : 'embedded'} profile, work dir ${work}`);
  try {
    const bareData = join(work, 'bare');
    mkdirSync(bareData);
    const bare = options.limit ? await startBare(bareData, work, nodeFlags) : undefined;
    const pod = options.pod || options.webdav ? await startPod(options, work, nodeFlags) : undefined;
    if (pod) result.server = pod.how;
    const token = pod ? (await login(pod.url, USER.name, USER.password, 'files benchmark')).token : '';
    let dav: string | undefined;
    if (pod && options.webdav) {
      if (!(await hasWebDav(pod.url))) result.webdav = 'skipped: no WebDAV (OPTIONS /dav/ answers no DAV header)';
      else {
        dav = await davCredentials(pod.url, token, USER.name);
        result.webdav = 'measured';
      }
    }
    if (result.webdav !== 'measured') log(`webdav: ${result.webdav}`);

    for (let run = 1; run <= options.runs; run++) {
      const scratch = join(work, 'scratch');
      mkdirSync(scratch, { recursive: true });
      const w: Workload = {
        big: join(work, 'big.bin'),
        edited: join(work, 'edited.bin'),
        bigBytes: options.bigBytes,
        small: Array.from({ length: options.smallCount }, (_, i) => randomContent(options.smallBytes, `small-${result.startedAt}-${run}-${i}`)),
        parallel: options.parallel,
        scratch,
        run,
      };
      await writeRandomFile(w.big, w.bigBytes, `big-${result.startedAt}-${run}`);
      const middle = Math.floor(w.bigBytes / 2);
      await writeEdited(w.big, w.edited, middle, Math.min(1 << 20, w.bigBytes - middle), `edit-${run}`);
      const phase = async (label: string, fn: () => Promise<Measurement[]>) => {
        log(`run ${run}: ${label}`);
        const measured = await fn();
        result.measurements.push(...measured);
        for (const m of measured) log(`    ${m.name}: ${(m.ms / 1000).toFixed(2)} s`);
      };
      if (bare) await phase('the machine\'s limit (bare node:http server)', () => measureLimit(bare.url, w));
      if (pod && options.pod) await phase('pod through the SDK', () => measurePod(pod.url, token, w, log));
      if (pod && dav) await phase('webdav', () => measureWebDav(pod.url, dav, w));
      for (const name of readdirSync(bareData)) rmSync(join(bareData, name), { force: true });
      rmSync(scratch, { recursive: true, force: true });
    }
    result.rows = summarize(result.measurements);
    result.finishedAt = new Date().toISOString();
    log('');
    log(render(result));
    log(`\nJSON: ${writeJson(result, options.out)}`);
    return 0;
  } finally {
    await killAll();
    await runCleanups();
    if (!options.keepData) rmSync(work, { recursive: true, force: true });
  }
}

async function startBare(dataDir: string, work: string, nodeFlags: string[]): Promise<ServerProcess> {
  const port = await freePort();
  const args = [...nodeFlags, '--import', 'tsx', join(repoRoot, 'bench/files/bare-server.ts'), '--data', dataDir, '--port', String(port)];
  return launch('baseline', `node ${args.join(' ')}`, args, join(work, 'bare.log'), port, {});
}

/** Pod with the benchmark's user: one process (embedded), or a gateway and an app server (distributed). */
async function startPod(options: ReturnType<typeof flags>, work: string, nodeFlags: string[]): Promise<ServerProcess> {
  if (!options.distributed) {
    const dataDir = join(work, 'pod');
    mkdirSync(dataDir);
    await createUserOffline(`sqlite:${join(dataDir, 'pod.db')}`, USER);
    const pod = await startPodServer({ dataDir, logFile: join(work, 'pod.log'), entry: 'auto', nodeFlags });
    log(`pod listening on ${pod.url}, pid ${pod.pid}`);
    return pod;
  }
  const cluster = await Cluster.create({ benchmark: 'files', gateways: 1, apps: 1, natsUrl: options.natsUrl, postgresUrl: options.postgresUrl, work, nodeFlags: () => nodeFlags });
  await createUserOffline(cluster.databaseUrl('setup'), USER);
  await cluster.start();
  const gateway = cluster.gateways[0]!;
  log(`distributed: gateway ${gateway.url} (pid ${gateway.pid}), app server pid ${cluster.appServers[0]!.pid}, schema ${cluster.name}`);
  return gateway;
}
