/**
 * One raw `ws` connection speaking Pod's frames, as a generator process holds it: hello with
 * the token (and `after`), the welcome/synced handshake, acks batched as the SDK does (every
 * 100 events or 100 ms), and a counter of seq gaps and repeats.
 */
import WebSocket from 'ws';

export interface EventFrame {
  t: 'ev';
  seq?: number;
  type: string;
  body: { id?: string; from?: string; to?: string; text?: string };
}
export interface ResFrame {
  t: 'res';
  id: string | null;
  ok: boolean;
  error?: { code: string; message: string };
}

const ACK_EVERY = 100;
const ACK_AFTER_MS = 100;

export class BenchSocket {
  lastSeq = -1;
  private acked = -1;
  private ackTimer: NodeJS.Timeout | undefined;
  seqGaps = 0;
  seqRepeats = 0;
  head = 0;
  from = 0;
  closed = false;
  onEvent: (frame: EventFrame) => void = () => {};
  onRes: (frame: ResFrame) => void = () => {};
  onClose: () => void = () => {};

  private constructor(readonly ws: WebSocket) {}

  /** Opens, says hello and resolves once the server says `synced` (replay done). */
  static open(url: string, token: string, options: { after?: number; timeoutMs?: number; onWelcome?: (s: BenchSocket) => void } = {}): Promise<BenchSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`, { perMessageDeflate: false });
    const socket = new BenchSocket(ws);
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error('no synced frame within the timeout')), options.timeoutMs ?? 30_000);
      ws.on('open', () => ws.send(JSON.stringify(options.after === undefined ? { t: 'hello', token } : { t: 'hello', token, after: options.after })));
      ws.on('error', (error) => fail(error));
      ws.on('close', (code, reason) => {
        socket.closed = true;
        clearTimeout(socket.ackTimer);
        fail(new Error(`closed ${code} ${String(reason)}`));
        socket.onClose();
      });
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { t: string } & Record<string, unknown>;
        switch (frame.t) {
          case 'ev':
            socket.onEventFrame(frame as unknown as EventFrame);
            return;
          case 'res':
            if (!settled && (frame as unknown as ResFrame).ok === false) fail(new Error(JSON.stringify(frame.error)));
            else socket.onRes(frame as unknown as ResFrame);
            return;
          case 'welcome':
            socket.head = frame.head as number;
            socket.from = frame.from as number;
            socket.lastSeq = socket.from;
            socket.acked = socket.from;
            options.onWelcome?.(socket);
            return;
          case 'synced':
            if (!settled) {
              settled = true;
              clearTimeout(timer);
              resolve(socket);
            }
            return;
        }
      });
    });
  }

  private onEventFrame(frame: EventFrame): void {
    const seq = frame.seq;
    if (seq !== undefined) {
      if (seq <= this.lastSeq) this.seqRepeats++;
      else {
        if (seq !== this.lastSeq + 1) this.seqGaps += seq - this.lastSeq - 1;
        this.lastSeq = seq;
        if (this.lastSeq - this.acked >= ACK_EVERY) this.flushAck();
        else this.ackTimer ??= setTimeout(() => this.flushAck(), ACK_AFTER_MS);
      }
    }
    this.onEvent(frame);
  }

  flushAck(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.lastSeq > this.acked && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(`{"t":"ack","seq":${this.lastSeq}}`);
      this.acked = this.lastSeq;
    }
  }

  send(frame: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  ping(): void {
    this.send('{"t":"ping"}');
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flushAck();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close(1000, 'bench done');
    });
  }
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Wall-clock milliseconds with sub-millisecond resolution, the same in every process. */
export const clock = () => performance.timeOrigin + performance.now();

/** `${id} ${sendTimeMs} ` padded with dots to `bytes`. */
export function messageText(id: string, sentAt: number, bytes: number): string {
  const head = `${id} ${sentAt.toFixed(3)} `;
  return head.length >= bytes ? head : head + '.'.repeat(bytes - head.length);
}

/** Parses messageText back: [id, sendTimeMs], or undefined for a foreign text. */
export function parseText(text: string): [string, number] | undefined {
  const a = text.indexOf(' ');
  const b = text.indexOf(' ', a + 1);
  if (a < 0 || b < 0) return undefined;
  return [text.slice(0, a), Number(text.slice(a + 1, b))];
}
