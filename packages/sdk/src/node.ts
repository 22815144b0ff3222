import WebSocket from 'ws';
import { PodClient, type PodClientOptions, type WebSocketFactory } from './client.ts';

export * from './index.ts';
export { nodeSha256 } from './files/sha256-node.ts';
export { uploadFile, type UploadOptions, type UploadProgress, type UploadResult } from './files/upload-node.ts';
export { downloadFile, defaultCacheDir, type DownloadOptions, type DownloadResult } from './files/download-node.ts';
export type { UploadSource } from './files/source-node.ts';

/** In Node (20 has no global WebSocket) the client uses `ws`. */
export function connectNode(options: PodClientOptions): PodClient {
  return new PodClient({ WebSocket: WebSocket as unknown as WebSocketFactory, ...options });
}
