// `npm test`: installs what the suite needs from Debian when it is missing (Chromium for the
// browser tests), then runs every packages/*/test/**/*.test.ts with node's test runner
// (TypeScript through tsx). Node 20's runner takes no globs, so the files are listed here.
// Arguments filter the files by substring: `node scripts/test.js im.test gateway`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  console.log(`${CHROMIUM} is missing; installing Debian's chromium for the browser tests`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (!install || install.status !== 0) console.error('could not install chromium (needs root and Debian packages); browser tests will fail');
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

const filter = process.argv.slice(2);
const files = readdirSync('packages')
  .map((p) => join('packages', p, 'test'))
  .filter((dir) => existsSync(dir) && statSync(dir).isDirectory())
  .flatMap(find)
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
if (files.some((file) => file.includes('browser'))) ensureChromium();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
