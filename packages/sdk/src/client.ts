import { PodError, serverFrame, type ClientOpName, type EventType, type OpInput, type OpOutput, type PodEvent } from '@pod/protocol';
import { EventQueue } from './events.ts';

/** The parts of the WebSocket API the client uses, met by browsers' WebSocket and by `ws`. */
export interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type WebSocketFactory = new (url: string) => WebSocketLike;

export interface PodClientOptions {
  /** The server's base URL, http(s)://host:port. */
  url: string;
  /**
   * Other gateways of the same pod. Each reconnection tries the next address in turn (`url`,
   * then these), so a device whose gateway dies resumes on another from its cursor.
   */
  urls?: string[];
  /** The session token; a browser page leaves it out and is authenticated by its session cookie. */
  token?: string;
  /** Resume after this seq; without it the server uses this session's stored cursor. */
  after?: number;
  WebSocket?: WebSocketFactory;
  requestTimeoutMs?: number;
  /** Further tries of a request that got no answer, each with the same id. */
  retries?: number;
  reconnect?: boolean;
  /** Tell senders their messages arrived (im.receipt `delivered`). */
  deliveryReceipts?: boolean;
}

export type ConnectionState = 'connecting' | 'syncing' | 'live' | 'closed';

interface PendingRequest {
  frame: string;
  resolve(body: unknown): void;
  reject(error: PodError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  triesLeft: number;
}

const OPEN = 1;
/** Most ids one im.receipt takes. */
const MAX_RECEIPT_IDS = 500;

/**
 * A Pod connection: authenticates with a session token, replays the mailbox from where this
 * device stopped, streams live events, heartbeats, and reconnects and resumes with nothing
 * skipped or repeated. Requests time out and are retried under the same id, so the server
 * stores their effects once.
 */
export class PodClient {
  /** The highest mailbox seq handed to the application. */
  lastSeq: number;
  user: string | undefined;
  session: string | undefined;
  state: ConnectionState = 'closed';

  private socket: WebSocketLike | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly listeners = new Map<string, Set<(event: PodEvent) => void>>();
  private readonly stateListeners = new Set<(state: ConnectionState, detail?: PodError) => void>();
  private readonly queues = new Set<EventQueue<PodEvent>>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private heartbeatMs = 25_000;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private acked = 0;
  private receipts: string[] = [];
  private receiptTimer: ReturnType<typeof setTimeout> | undefined;
  private attempts = 0;
  private readonly addresses: string[];
  private nextAddress = 0;
  private stopped = false;
  private synced: { resolve(): void; reject(error: PodError): void } | undefined;
  private readonly WebSocketImpl: WebSocketFactory;

  constructor(private readonly options: PodClientOptions) {
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketFactory }).WebSocket;
    if (!impl) throw new PodError('invalid', 'no WebSocket implementation: pass options.WebSocket (in Node, import from @pod/sdk/node)');
    this.WebSocketImpl = impl;
    this.lastSeq = options.after ?? -1;
    this.addresses = [...new Set([options.url, ...(options.urls ?? [])])];
  }

  /** Opens the socket; resolves once the mailbox is replayed up to the moment of connecting. */
  connect(): Promise<void> {
    this.stopped = false;
    return new Promise((resolve, reject) => {
      this.synced = { resolve, reject };
      this.open();
    });
  }

  request<N extends ClientOpName>(op: N, body: OpInput<N>, options: { id?: string; timeoutMs?: number; retries?: number } = {}): Promise<OpOutput<N>> {
    const id = options.id ?? globalThis.crypto.randomUUID();
    const frame = JSON.stringify({ t: 'req', id, op, body });
    return new Promise<OpOutput<N>>((resolve, reject) => {
      const entry: PendingRequest = { frame, resolve: resolve as (body: unknown) => void, reject, timer: undefined, triesLeft: options.retries ?? this.options.retries ?? 3 };
      this.pending.set(id, entry);
      this.sendRequest(id, entry, options.timeoutMs ?? this.options.requestTimeoutMs ?? 10_000);
    });
  }

  /** Every event, in order, as an async iterator; ends when the client closes. */
  events(): AsyncIterableIterator<PodEvent> {
    const queue: EventQueue<PodEvent> = new EventQueue(() => this.queues.delete(queue));
    this.queues.add(queue);
    return queue;
  }

  /** Calls `listener` for events of one type, or every event with '*'. Answers how to stop. */
  on<T extends EventType | '*'>(type: T, listener: (event: T extends EventType ? Extract<PodEvent, { type: T }> : PodEvent) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as (event: PodEvent) => void);
    return () => set.delete(listener as (event: PodEvent) => void);
  }

  onState(listener: (state: ConnectionState, detail?: PodError) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    this.flushReceipts();
    this.stopped = true;
    this.flushAck();
    this.socket?.close(1000, 'client closed');
    this.shutdown(new PodError('unavailable', 'the client was closed'));
  }

  private open(): void {
    this.setState('connecting');
    const address = this.addresses[this.nextAddress++ % this.addresses.length]!;
    const url = `${address.replace(/\/$/, '').replace(/^http/, 'ws')}/v1/ws`;
    const socket = new this.WebSocketImpl(url);
    this.socket = socket;
    socket.onopen = () => {
      this.lastHeard = Date.now();
      const hello: Record<string, unknown> = { t: 'hello' };
      if (this.options.token !== undefined) hello.token = this.options.token;
      if (this.lastSeq >= 0) hello.after = this.lastSeq;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (event) => this.onFrame(String(event.data));
    socket.onerror = () => {};
    socket.onclose = (event) => this.onClose(socket, event.code, event.reason);
  }

  private onFrame(text: string): void {
    this.lastHeard = Date.now();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = serverFrame.safeParse(json);
    if (!parsed.success) return;
    const frame = parsed.data as { t: string } & Record<string, unknown>;
    switch (frame.t) {
      case 'welcome':
        this.user = frame.user as string;
        this.session = frame.session as string;
        this.heartbeatMs = frame.heartbeatMs as number;
        this.lastSeq = frame.from as number;
        this.acked = this.lastSeq;
        this.attempts = 0;
        this.startHeartbeat();
        this.setState('syncing');
        for (const [id, entry] of this.pending) if (entry.timer === undefined) this.sendRequest(id, entry, this.options.requestTimeoutMs ?? 10_000);
        return;
      case 'synced':
        this.setState('live');
        this.synced?.resolve();
        this.synced = undefined;
        return;
      case 'res':
        this.onAnswer(frame as never);
        return;
      case 'ev':
        this.onEvent(frame as unknown as PodEvent);
        return;
    }
  }

  private onAnswer(frame: { id: string | null; ok: boolean; body?: unknown; error?: { code: string; message: string; data?: Record<string, unknown> } }): void {
    if (frame.id === null) {
      if (frame.error?.code === 'unauthorized') this.fail(PodError.fromBody(frame.error as never));
      return;
    }
    const entry = this.pending.get(frame.id);
    if (!entry) return;
    this.pending.delete(frame.id);
    clearTimeout(entry.timer);
    if (frame.ok) entry.resolve(frame.body);
    else entry.reject(PodError.fromBody(frame.error as never));
  }

  private onEvent(event: PodEvent): void {
    if (event.seq !== undefined) {
      if (event.seq <= this.lastSeq) return;
      this.lastSeq = event.seq;
      this.scheduleAck();
    }
    const { t: _t, ...clean } = event as PodEvent & { t?: string };
    const delivered = clean as PodEvent;
    for (const queue of this.queues) queue.push(delivered);
    for (const type of [delivered.type, '*']) for (const listener of this.listeners.get(type) ?? []) listener(delivered);
    if (this.options.deliveryReceipts !== false && delivered.type === 'im.message' && delivered.body.from !== this.user && delivered.body.deliveredAt === null) {
      this.queueReceipt(delivered.body.id);
    }
  }

  /**
   * Delivery receipts go out together, as acks do: a replay of thousands of messages costs a few
   * requests, not one each (a socket may have only 64 requests unanswered).
   */
  private queueReceipt(id: string): void {
    if (this.receipts.push(id) >= MAX_RECEIPT_IDS) return this.flushReceipts();
    this.receiptTimer ??= setTimeout(() => this.flushReceipts(), 100);
  }

  private flushReceipts(): void {
    clearTimeout(this.receiptTimer);
    this.receiptTimer = undefined;
    const ids = this.receipts.splice(0);
    if (ids.length > 0 && !this.stopped) this.request('im.receipt', { ids, kind: 'delivered' }).catch(() => {});
  }

  private sendRequest(id: string, entry: PendingRequest, timeoutMs: number): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (this.socket?.readyState === OPEN && this.state !== 'connecting') this.socket.send(entry.frame);
    else if (this.stopped) {
      this.pending.delete(id);
      entry.reject(new PodError('unavailable', 'the client is closed'));
      return;
    } else return; // sent on the next welcome
    entry.timer = setTimeout(() => {
      if (!this.pending.has(id)) return;
      if (entry.triesLeft-- > 0) this.sendRequest(id, entry, timeoutMs);
      else {
        this.pending.delete(id);
        entry.reject(new PodError('unavailable', `no answer to request ${id} after retries; it is safe to retry with the same id`));
      }
    }, timeoutMs);
  }

  private scheduleAck(): void {
    if (this.lastSeq - this.acked >= 100) return this.flushAck();
    this.ackTimer ??= setTimeout(() => this.flushAck(), 100);
  }

  private flushAck(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.lastSeq > this.acked && this.socket?.readyState === OPEN) {
      this.socket.send(JSON.stringify({ t: 'ack', seq: this.lastSeq }));
      this.acked = this.lastSeq;
    }
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > 2 * this.heartbeatMs) {
        this.socket?.close(4000, 'heartbeat missed');
        return;
      }
      if (this.socket?.readyState === OPEN) this.socket.send('{"t":"ping"}');
    }, this.heartbeatMs);
  }

  private onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.socket) return;
    clearInterval(this.heartbeat);
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
    }
    if (this.stopped) return;
    if (code === 4001) {
      this.fail(new PodError('unauthorized', reason || 'the session ended; sign in again'));
      return;
    }
    if (this.options.reconnect === false) {
      this.fail(new PodError('unavailable', `connection closed (${code}${reason ? `: ${reason}` : ''})`));
      return;
    }
    this.setState('connecting');
    const delay = Math.min(5000, 100 * 2 ** this.attempts++) * (0.5 + Math.random() / 2);
    setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
  }

  private fail(error: PodError): void {
    this.stopped = true;
    this.socket?.close(1000);
    this.shutdown(error);
  }

  private shutdown(error: PodError): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.ackTimer);
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.pending.clear();
    this.synced?.reject(error);
    this.synced = undefined;
    for (const queue of this.queues) queue.end();
    this.queues.clear();
    this.setState('closed', error);
  }

  private setState(state: ConnectionState, detail?: PodError): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state, detail);
  }
}
