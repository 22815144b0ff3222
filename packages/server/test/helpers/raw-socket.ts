import WebSocket from 'ws';

export type Frame = { t: string } & Record<string, unknown>;

/**
 * A bare WebSocket to the gateway for tests that must send what the SDK never would
 * (garbage, duplicates, oversized frames) and see every frame the server answers.
 */
export class RawSocket {
  readonly frames: Frame[] = [];
  /** Resolves with the close code once the server (or we) closed the socket. */
  readonly closed: Promise<number>;
  private readonly waiters = new Set<() => void>();
  private closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      // The server only ever sends JSON text; anything else would itself be a finding.
      this.frames.push(isBinary ? { t: 'binary' } : (JSON.parse(String(data)) as Frame));
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        for (const wake of this.waiters) wake();
        resolve(code);
      }),
    );
    ws.on('error', () => {});
  }

  static open(baseUrl: string, headers: Record<string, string> = {}): Promise<RawSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws`, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get closedWith(): number | undefined {
    return this.closeCode;
  }

  send(data: string | Buffer | object): void {
    this.ws.send(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
  }

  /**
   * Takes the first frame matching `predicate` out of the received ones, waiting for it.
   * Resolves undefined if the socket closes first; rejects after `ms`.
   */
  take(predicate: (frame: Frame) => boolean, ms = 5000): Promise<Frame | undefined> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.frames.findIndex(predicate);
        if (index >= 0) return finish(() => resolve(this.frames.splice(index, 1)[0]));
        if (this.closeCode !== undefined) finish(() => resolve(undefined));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames).slice(0, 500)}`))), ms);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Takes a frame already received, without waiting. */
  takeReceived(predicate: (frame: Frame) => boolean): Frame | undefined {
    const index = this.frames.findIndex(predicate);
    return index >= 0 ? this.frames.splice(index, 1)[0] : undefined;
  }

  /** Sends a hello and waits for the replay to finish (or the refusal). */
  async hello(token: string, after?: number): Promise<Frame | undefined> {
    this.send(after === undefined ? { t: 'hello', token } : { t: 'hello', token, after });
    const first = await this.take((f) => f.t === 'welcome' || (f.t === 'res' && f.id === null));
    if (first?.t === 'welcome') await this.take((f) => f.t === 'synced');
    return first;
  }

  close(): void {
    this.ws.terminate();
  }
}
