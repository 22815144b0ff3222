// `npm run bench -- <name> [flags]`: runs one benchmark from bench/<name>/.
const benchmarks: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  im: () => import('./im/main.ts'),
  files: () => import('./files/main.ts'),
  rooms: () => import('./rooms/main.ts'),
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !(name in benchmarks)) {
  console.error(`usage: npm run bench -- <${Object.keys(benchmarks).join('|')}> [flags]   (add --help for a benchmark's flags)`);
  process.exit(2);
}
const bench = await benchmarks[name]!();
process.exitCode = await bench.run(rest);
