export { startPod, createLogger, version, type RunningPod } from './main.ts';
export { resolveConfig, isLoopback, type PodConfig } from './config.ts';
export { openStore, type Store } from './store/index.ts';
export { createUserOffline } from './apps/directory/offline.ts';
