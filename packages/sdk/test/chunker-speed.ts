// By hand, not a test (timings on a shared machine make flaky tests):
//   node --import tsx packages/sdk/test/chunker-speed.ts [MiB]
// Prints MB/s for the gear loop alone (hashing stubbed out), then with SHA-256 of every chunk
// and of the whole file, as an upload would run it.
import { randomFillSync } from 'node:crypto';
import { Chunker, type Sha256Factory } from '../src/files/chunker.ts';
import { nodeSha256 } from '../src/files/sha256-node.ts';

const mib = Number(process.argv[2] ?? 256);
const data = new Uint8Array(mib * 1024 * 1024);
for (let at = 0; at < data.length; at += 65536) randomFillSync(data, at, Math.min(65536, data.length - at));
const noHash: Sha256Factory = () => ({ update() {}, digest: () => '' });
const PIECE = 64 * 1024;

function run(sha256: Sha256Factory): { ms: number; chunks: number } {
  const start = performance.now();
  const chunker = new Chunker({ sha256 });
  let chunks = 0;
  for (let at = 0; at < data.length; at += PIECE) chunks += chunker.push(data.subarray(at, at + PIECE)).length;
  if (chunker.end().last) chunks++;
  return { ms: performance.now() - start, chunks };
}

for (const [name, sha256] of [['gear loop only', noHash], ['with SHA-256', nodeSha256]] as const) {
  const runs = [1, 2, 3, 4, 5].map(() => run(sha256));
  const best = Math.min(...runs.map((r) => r.ms));
  const mbps = data.length / 1e6 / (best / 1000);
  console.log(`${name}: ${mbps.toFixed(0)} MB/s (best of ${runs.length} over ${mib} MiB, ${runs[0]!.chunks} chunks, mean ${(data.length / runs[0]!.chunks / 1024).toFixed(0)} KiB)`);
}
