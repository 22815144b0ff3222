// `npm test`: installs what the suite needs from Debian when it is missing (Chromium for the
// browser tests, HAProxy for the deployment test), builds the pod application and the bundled
// `pod` command when stale, then runs the suite with node's test runner
// (TypeScript through tsx) in two passes:
//   1. the embedded profile (SQLite, in-process messenger): every test file except *.cluster.test.ts;
//   2. the distributed profile (PostgreSQL + NATS JetStream), when both answer: every test file
//      that starts a pod through the profile helpers, and the *.cluster.test.ts files, which
//      need the distributed engines (NATS driver tests, multi-process fault tests).
// The two passes run at once; the distributed pass's report is printed whole when it ends.
// When a service does not answer, pass 2 is reported as skipped, or fails the run if
// POD_REQUIRE_SERVICES=1 (as .ci/run sets). Node 20's runner takes no globs, so the files are
// listed here. Arguments filter the files by substring: `node scripts/test.js im.test gateway`.
// POD_TEST_PROFILE=embedded or distributed runs one pass only.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect as natsConnect } from 'nats';
import pg from 'pg';

const POSTGRES_URL = process.env.POD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.POD_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const required = process.env.POD_REQUIRE_SERVICES === '1';
const CONCURRENCY = 2;
const debianNeeds = [
  { binary: '/usr/bin/chromium', pkg: 'chromium', wanted: (file) => file.includes('browser') },
  { binary: '/usr/sbin/haproxy', pkg: 'haproxy', wanted: (file) => file.includes('haproxy') },
  { binary: '/usr/bin/rclone', pkg: 'rclone', wanted: (file) => file.includes('dav-clients') },
  { binary: '/usr/bin/cadaver', pkg: 'cadaver', wanted: (file) => file.includes('dav-clients') },
];

function ensureDebianPackages(files) {
  const missing = debianNeeds.filter((need) => files.some(need.wanted) && !existsSync(need.binary));
  if (missing.length === 0) return;
  const names = missing.map((need) => need.pkg);
  console.log(`installing Debian's ${names.join(', ')} for the tests that need them`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', ...names], { stdio: 'inherit', env });
  if (!install || install.status !== 0) console.error(`could not install ${names.join(', ')} (needs root and Debian packages); the tests that use them will fail`);
}

function find(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const needsDistributedEngines = (file) => file.endsWith('.cluster.test.ts');
// A browser drives the same gateway code on both profiles, and the distributed profile's
// concerns (NATS, PostgreSQL, several processes) have their own tests below the application.
const embeddedOnly = (file) => file.endsWith('.browser.test.ts');
const usesTestProfile = (file) => !embeddedOnly(file) && /\b(startTestPod|createTestEngines|createTestDatabase)\b/.test(readFileSync(file, 'utf8'));

/** Why the distributed engines cannot be used, or undefined when PostgreSQL and NATS JetStream answer. */
async function distributedEnginesMissing() {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    return `PostgreSQL does not answer at ${POSTGRES_URL}: ${error.message}`;
  } finally {
    await client.end().catch(() => {});
  }
  let nc;
  try {
    nc = await natsConnect({ servers: NATS_URL, timeout: 3000 });
    await (await nc.jetstreamManager()).getAccountInfo();
  } catch (error) {
    return `NATS with JetStream does not answer at ${NATS_URL}: ${error.message}`;
  } finally {
    await nc?.close().catch(() => {});
  }
  return undefined;
}

/** Drops what a run's crashed or failed tests left behind: their schemas and their streams. */
async function removeLeftovers(run) {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query(`select nspname from pg_namespace where nspname like $1`, [`pod_test_${run}_%`]);
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
  const nc = await natsConnect({ servers: NATS_URL, timeout: 3000 });
  try {
    const jsm = await nc.jetstreamManager();
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(`podtest-${run}-`)) await jsm.streams.delete(stream.config.name).catch(() => {});
    }
  } finally {
    await nc.close();
  }
}

/**
 * Runs one pass; answers its exit status. `live`: its output goes straight to ours; otherwise
 * it is kept, and printed whole when the pass ends, so two passes running at once do not
 * interleave their reports.
 */
function runPass(profile, files, live, env = {}) {
  const heading = `\n# ${profile} profile: ${files.length} test files`;
  if (live) console.log(heading);
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${CONCURRENCY}`, ...files], {
    stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, POD_TEST_PROFILE: profile, ...env },
  });
  const kept = [];
  child.stdout?.on('data', (data) => kept.push(data));
  child.stderr?.on('data', (data) => kept.push(data));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (!live) process.stdout.write(`${heading}\n${Buffer.concat(kept).toString()}`);
      resolve(code ?? 1);
    });
  });
}

const filter = process.argv.slice(2);
const only = process.env.POD_TEST_PROFILE;
const files = readdirSync('packages')
  .map((p) => join('packages', p, 'test'))
  .filter((dir) => existsSync(dir) && statSync(dir).isDirectory())
  .flatMap(find)
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
const embeddedFiles = only === 'distributed' ? [] : files.filter((file) => !needsDistributedEngines(file));
const distributedFiles = only === 'embedded' ? [] : files.filter((file) => needsDistributedEngines(file) || usesTestProfile(file));
ensureDebianPackages([...embeddedFiles, ...distributedFiles]);
// The gateway serves the built pod application, and the CLI tests run the bundled `pod`: build
// each when missing or stale (a no-op otherwise).
spawnSync(process.execPath, ['scripts/build-web.js'], { stdio: 'inherit' });
spawnSync(process.execPath, ['scripts/build-cli.js'], { stdio: 'inherit' });

async function embeddedPass(live) {
  if (embeddedFiles.length === 0) return undefined;
  const status = await runPass('embedded', embeddedFiles, live);
  return { failed: status !== 0, outcome: `embedded profile: ${status === 0 ? 'passed' : 'FAILED'}` };
}

async function distributedPass(live) {
  if (distributedFiles.length === 0) return undefined;
  const missing = await distributedEnginesMissing();
  if (missing && required) return { failed: true, outcome: `distributed profile: FAILED, a required service is missing (POD_REQUIRE_SERVICES=1): ${missing}` };
  if (missing) return { failed: false, outcome: `distributed profile: skipped (${missing}; set POD_REQUIRE_SERVICES=1 to make this a failure)` };
  const run = randomBytes(4).toString('hex');
  const status = await runPass('distributed', distributedFiles, live, { POD_TEST_RUN: run });
  await removeLeftovers(run);
  return { failed: status !== 0, outcome: `distributed profile: ${status === 0 ? 'passed' : 'FAILED'}` };
}

// Both passes at once: much of a test's time is spent waiting (on timers, sockets, PostgreSQL,
// NATS, Chromium), so the two overlap well. POD_TEST_SEQUENTIAL=1 runs one after the other.
const results = process.env.POD_TEST_SEQUENTIAL === '1' ? [await embeddedPass(true), await distributedPass(true)] : await Promise.all([embeddedPass(true), distributedPass(embeddedFiles.length === 0)]);
const done = results.filter(Boolean);
console.log(`\n${done.map((r) => r.outcome).join('\n')}`);
process.exit(done.some((r) => r.failed) ? 1 : 0);
