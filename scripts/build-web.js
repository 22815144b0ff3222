// Builds the pod application (packages/web) when its build is missing or older than any of its
// sources, so `npm start` and `npm test` serve the current one without rebuilding every time.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'packages/web/dist/index.html');
const sources = ['packages/web/src', 'packages/web/public', 'packages/web/index.html', 'packages/web/vite.config.ts', 'packages/web/package.json', 'packages/protocol/src', 'packages/sdk/src'];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const stale = !existsSync(built) || sources.some((source) => newest(join(root, source)) > statSync(built).mtimeMs);
if (stale) {
  console.log('building the pod application (packages/web)…');
  execFileSync('npm', ['run', 'build', '--workspace', '@pod/web'], { cwd: root, stdio: 'inherit' });
}
