#!/usr/bin/env node
// The `pod` command. Commands that talk to a server run from the bundle scripts/build-cli.js
// makes (npm start and npm test make it), which starts in a fraction of the time tsx takes to
// compile the sources, when it is newer than every source it was built from. The commands that
// run the server itself (serve, user) and any run with a stale bundle load the TypeScript
// sources through tsx: the server is not bundled, and one process must not hold two copies of
// the protocol (an error thrown by one would not be an instance of the other's error type).
import { existsSync, readFileSync, statSync } from 'node:fs';

// File chunks are synced one by one, each sync holding one of libuv's threads for milliseconds;
// with the default four, syncs queue behind each other and block reads and stats behind them.
// Read when the pool first starts, which is later than this line.
process.env.UV_THREADPOOL_SIZE ??= '16';

const SERVER_COMMANDS = new Set(['serve', 'user']);
const bundle = new URL('../dist/pod.mjs', import.meta.url);
const inputs = new URL('../dist/pod.inputs.json', import.meta.url);
const root = new URL('../../../', import.meta.url);

function bundleIsFresh() {
  if (!existsSync(bundle) || !existsSync(inputs)) return false;
  const builtAt = statSync(bundle).mtimeMs;
  return JSON.parse(readFileSync(inputs, 'utf8')).every((input) => {
    const source = new URL(input, root);
    return existsSync(source) && statSync(source).mtimeMs <= builtAt;
  });
}

const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
if (!SERVER_COMMANDS.has(command) && bundleIsFresh()) await import(bundle.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
