import type { WebSocketFactory } from '@pod/sdk/node';
import WebSocket from 'ws';

/**
 * A WebSocket class for the SDK that remembers every socket it opens, so a test can cut the
 * current one abruptly (no close frame, as a dropped network does) and watch the SDK resume.
 */
export function killableSockets(): { WebSocket: WebSocketFactory; opened: () => number; kill(): void; send(data: string): void } {
  const sockets: WebSocket[] = [];
  class RecordedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: RecordedWebSocket as unknown as WebSocketFactory,
    opened: () => sockets.length,
    kill: () => sockets.at(-1)?.terminate(),
    /** Sends a raw frame on the current socket, beside the SDK's own. */
    send: (data) => {
      const socket = sockets.at(-1);
      if (socket?.readyState === WebSocket.OPEN) socket.send(data);
    },
  };
}
