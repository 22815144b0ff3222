/**
 * Summarizes a V8 .cpuprofile (from --cpu-prof): self time by function and by package/folder,
 * and inclusive time of chosen frames. Usage:
 *   node --import tsx bench/im/profile.ts FILE.cpuprofile [--top 30] [--last SECONDS]
 * --last keeps only the final seconds of the profile (the load, not the setup before it).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, last: { type: 'string' } } });
const file = positionals[0];
if (!file) throw new Error('usage: profile.ts FILE.cpuprofile [--top N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
const from = values.last ? profile.endTime - Number(values.last) * 1e6 : -Infinity;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function where(url: string): string {
  if (!url) return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const pkg = /packages\/([^/]+)\/src\/(.*)$/.exec(url);
  if (pkg) return `@pod/${pkg[1]}/${pkg[2]!.split('/').slice(0, -1).join('/') || '.'}`;
  if (url.startsWith('node:')) return 'node:internal';
  return url.replace(/^file:\/\//, '');
}

const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  const fn = `${frame.functionName || '(anonymous)'}  ${frame.url.replace(/^.*\/(node_modules|packages)\//, '')}:${frame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  byPlace.set(where(frame.url), (byPlace.get(where(frame.url)) ?? 0) + us);
}

// Inclusive time by "first Pod frame" on the stack: which Pod code path the time is spent under.
const byPodFrame = new Map<string, number>();
for (const [id, us] of selfUs) {
  let cur: number | undefined = id;
  let label = '(outside Pod code)';
  while (cur !== undefined) {
    const frame = byId.get(cur)!.callFrame;
    if (/packages\/server\/src\//.test(frame.url)) {
      label = `${frame.functionName || '(anonymous)'}  ${frame.url.replace(/^.*packages\/server\/src\//, '')}`;
      break;
    }
    cur = parent.get(cur);
  }
  byPodFrame.set(label, (byPodFrame.get(label) ?? 0) + us);
}

const top = Number(values.top);
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled (profile spans ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s)`);
show('Self time by package / folder', byPlace);
show('Self time by function', byFunction);
show('Self time by the innermost Pod server frame on the stack', byPodFrame);
