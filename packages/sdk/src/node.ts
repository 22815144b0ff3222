import WebSocket from 'ws';
import { PodClient, type PodClientOptions, type WebSocketFactory } from './client.ts';

export * from './index.ts';

/** In Node (20 has no global WebSocket) the client uses `ws`. */
export function connectNode(options: PodClientOptions): PodClient {
  return new PodClient({ WebSocket: WebSocket as unknown as WebSocketFactory, ...options });
}
