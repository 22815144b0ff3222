// Prints the gzipped size of the JavaScript index.html loads before any view is opened, and
// fails the build past the budget (issue 6: at most 300 KB).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const BUDGET = 300 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/([^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const file of new Set(scripts)) total += gzipSync(readFileSync(join(dist, file))).length;
console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (${scripts.length} files; budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error('over the initial JavaScript budget: lazy-load more views');
  process.exit(1);
}
