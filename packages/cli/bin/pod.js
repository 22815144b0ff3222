#!/usr/bin/env node
// The `pod` command: registers tsx so Node runs the TypeScript sources directly.
import { register } from 'tsx/esm/api';

// File chunks are synced one by one, each sync holding one of libuv's threads for milliseconds;
// with the default four, syncs queue behind each other and block reads and stats behind them.
// Read when the pool first starts, which is later than this line.
process.env.UV_THREADPOOL_SIZE ??= '16';

register();
await import('../src/main.ts');
