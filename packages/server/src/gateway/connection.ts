import { clientFrame, findOp, PodError, type ClientFrame, type ErrorBody } from '@pod/protocol';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { readMailbox, type StoredEvent } from '../mailbox/mailbox.repo.ts';
import type { AppResponse, Caller, Delivery } from '../messenger/messenger.ts';
import { invalidInput } from '../runtime/errors.ts';
import type { GatewayDeps } from './deps.ts';

const REPLAY_PAGE = 500;
/** How long live events that skip a seq wait for the missing ones before the store is read. */
const GAP_WAIT_MS = 50;
const MAX_IN_FLIGHT = 64;
/** A reader that falls this far behind is dropped; it resumes from its cursor when it returns. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

type Phase = 'hello' | 'authenticating' | 'open' | 'closed';

/**
 * One device's socket. It replays the mailbox after the device's cursor, then streams live
 * events, sending each seq exactly once and in order: a live event that would skip a seq
 * sends it back to the store to fill the gap first.
 */
export class Connection {
  phase: Phase = 'hello';
  caller: Caller | undefined;
  lastSeen = Date.now();
  private sent = 0;
  private syncing = false;
  private pending: StoredEvent[] = [];
  /** Transient events that arrived before the welcome, which must be the first frame a client gets; undefined once it went. */
  private early: Array<{ type: string; body: unknown }> | undefined = [];
  /** Requests waiting for an answer, by operation and id: a retry of one waits for the same answer, taking no slot. */
  private readonly inFlight = new Map<string, Promise<AppResponse>>();
  private corked = false;
  /** Settles once the hello is answered: frames sent right after the hello wait for it. */
  private helloAnswered: Promise<void> | undefined;
  /** A head seen beyond what was sent, at the last check; see `checkHead`. */
  private headAtLastCheck = 0;
  /** Set while live events wait for earlier ones still on their way (see `deliver`). */
  private gapTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: WebSocket,
    private readonly deps: GatewayDeps,
    private readonly address: string | undefined,
    private readonly headerCaller: Caller | undefined,
    private readonly hooks: { opened(connection: Connection): Promise<void>; closed(connection: Connection): void },
  ) {
    socket.on('message', (data, isBinary) => void this.onMessage(data as Buffer, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', () => socket.terminate());
  }

  private async onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    this.lastSeen = Date.now();
    let frame: ClientFrame;
    try {
      frame = parseFrame(data, isBinary);
    } catch (error) {
      this.sendError(null, error);
      return;
    }
    // A client may send acks and requests right behind its hello, before the welcome; they
    // count once the session is known (on PostgreSQL + NATS that takes a round trip).
    if (frame.t !== 'hello' && frame.t !== 'ping' && this.phase === 'authenticating') await this.helloAnswered;
    switch (frame.t) {
      case 'ping':
        this.send({ t: 'pong' });
        return;
      case 'hello':
        this.helloAnswered = this.onHello(frame.token, frame.after);
        await this.helloAnswered;
        return;
      case 'ack':
        if (this.phase !== 'open' || !this.caller) return this.sendError(null, new PodError('unauthorized', 'send a hello frame with a session token first'));
        if (frame.seq > this.sent) return this.sendError(null, new PodError('invalid', `ack ${frame.seq} is beyond the last event sent (${this.sent})`));
        this.deps.cursors.ack(this.caller.session, this.caller.userId, frame.seq);
        return;
      case 'req':
        await this.onRequest(frame.id, frame.op, frame.body);
        return;
    }
  }

  private async onHello(token: string | undefined, after: number | undefined): Promise<void> {
    if (this.phase !== 'hello') return this.sendError(null, new PodError('invalid', 'hello was already sent on this socket'));
    this.phase = 'authenticating';
    try {
      const caller = this.headerCaller ?? (await this.deps.resolveToken(token));
      if (this.phase !== 'authenticating') return;
      this.caller = caller;
      this.phase = 'open';
      this.syncing = true;
      const [, head] = await Promise.all([this.hooks.opened(this), this.deps.mailboxHead(caller.userId)]);
      const requested = after ?? (await this.deps.cursorOf(caller.session)) ?? 0;
      this.sent = Math.min(requested, head);
      this.send({ t: 'welcome', user: caller.name, session: caller.session, head, from: this.sent, heartbeatMs: this.deps.heartbeatMs });
      for (const { type, body } of this.early ?? []) this.send({ t: 'ev', type, body });
      this.early = undefined;
      await this.catchUp();
      if (this.phase === 'open') this.send({ t: 'synced', seq: this.sent });
    } catch (error) {
      this.sendError(null, error);
      // 4001 tells the client to stop and sign in again; any other failure (the directory
      // unavailable, a restart) must leave it retrying, or it gives up on a valid session.
      const signedOut = error instanceof PodError && (error.code === 'unauthorized' || error.code === 'forbidden');
      if (this.phase === 'authenticating') this.socket.close(signedOut ? 4001 : 1013, signedOut ? 'unauthorized' : 'try again later');
    }
  }

  private async onRequest(id: string, op: string, body: unknown): Promise<void> {
    const def = findOp(op);
    if (!def || def.access === 'internal') return this.sendError(id, new PodError('not_found', `unknown operation "${op}"`));
    if (def.access !== 'public' && this.phase !== 'open') return this.sendError(id, new PodError('unauthorized', 'send a hello frame with a session token first'));
    // Only a true repeat shares an answer; an id reused for another operation meets the store's refusal.
    const key = `${op} ${id}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) return this.sendError(id, new PodError('rate_limited', `at most ${MAX_IN_FLIGHT} requests may be unanswered on one socket`, { retryAfterSeconds: 1 }));
      pending = this.deps.messenger.request(def.app, { id, op, body, caller: this.caller, meta: { address: this.address } });
      this.inFlight.set(key, pending);
      void pending.finally(() => this.inFlight.delete(key));
    }
    const response = await pending;
    if (response.ok) this.send({ t: 'res', id, ok: true, body: response.body });
    else this.send({ t: 'res', id, ok: false, error: response.error });
  }

  /** Called for every delivery to this user while the socket is open. */
  deliver(delivery: Delivery): void {
    if (this.phase !== 'open' || !this.caller) return;
    if (delivery.kind === 'transient') {
      if (this.early) this.early.push({ type: delivery.type, body: delivery.body });
      else this.send({ t: 'ev', type: delivery.type, body: delivery.body });
      return;
    }
    if (delivery.kind === 'revoke') {
      if (delivery.sessions === 'all' || delivery.sessions.includes(this.caller.session)) this.socket.close(4001, 'session ended');
      return;
    }
    if (this.syncing) {
      this.pending.push(...delivery.events);
      return;
    }
    if (this.gapTimer) {
      this.pending.push(...delivery.events);
      this.sendPendingInOrder();
      return;
    }
    for (const [index, event] of delivery.events.entries()) {
      if (event.seq <= this.sent) continue;
      if (event.seq !== this.sent + 1) {
        // With several application servers, the events just before this one are most likely
        // still on their way from another server that committed first but published later:
        // wait a moment for them before reading the store.
        this.pending.push(...delivery.events.slice(index));
        this.gapTimer = setTimeout(() => this.fillGapFromStore(), GAP_WAIT_MS);
        return;
      }
      this.sendEvent(event);
      this.deps.metrics.deliveryLatency.observe((Date.now() - delivery.committedAt) / 1000);
    }
  }

  /** Sends what arrived out of order once the events before it are in; the store fills what never comes. */
  private sendPendingInOrder(): void {
    this.pending.sort((a, b) => a.seq - b.seq);
    let next = 0;
    for (; next < this.pending.length; next++) {
      const event = this.pending[next]!;
      if (event.seq <= this.sent) continue;
      if (event.seq !== this.sent + 1) break;
      this.sendEvent(event);
    }
    this.pending = this.pending.slice(next);
    if (this.pending.length > 0) return;
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
  }

  private fillGapFromStore(): void {
    this.gapTimer = undefined;
    if (this.phase !== 'open' || this.syncing) return;
    this.syncing = true;
    void this.catchUp();
  }

  /**
   * A live delivery can be lost (the messenger down between commit and publish, an
   * application server killed in between). The hub shows each connection its mailbox head
   * now and then: a head that was already beyond what was sent at the previous check, so not
   * merely on its way, is read from the store. Returns whether a catch-up started.
   */
  checkHead(head: number): boolean {
    if (this.phase !== 'open' || this.syncing || this.gapTimer) {
      this.headAtLastCheck = 0;
      return false;
    }
    const lost = this.headAtLastCheck > this.sent;
    this.headAtLastCheck = lost ? 0 : head > this.sent ? head : 0;
    if (!lost) return false;
    this.syncing = true;
    void this.catchUp();
    return true;
  }

  /** Sends from the store everything after `sent`, then what arrived live meanwhile. */
  private async catchUp(): Promise<void> {
    const caller = this.caller!;
    try {
      for (;;) {
        const page = await readMailbox(this.deps.coreDb, caller.userId, this.sent, REPLAY_PAGE);
        if (page.length === REPLAY_PAGE) {
          // A long absence replays page by page, each sent only when the last has left the
          // process, so a 10,000-event resume never piles up in memory.
          const last = page.pop()!;
          for (const event of page) this.sendEvent(event);
          await new Promise<void>((resolve) => this.sendEvent(last, resolve));
          if (this.phase !== 'open') return;
          continue;
        }
        for (const event of page) this.sendEvent(event);
        if (this.phase !== 'open') return;
        const live = this.pending.filter((e) => e.seq > this.sent).sort((a, b) => a.seq - b.seq);
        this.pending = [];
        let gap = false;
        for (const event of live) {
          if (event.seq <= this.sent) continue;
          if (event.seq !== this.sent + 1) {
            gap = true;
            break;
          }
          this.sendEvent(event);
        }
        if (!gap) break;
      }
      this.syncing = false;
    } catch (error) {
      this.deps.log.warn({ err: error, user: caller.name }, 'mailbox replay failed; closing so the device resumes');
      this.socket.close(1011, 'replay failed; reconnect to resume');
    }
  }

  private sendEvent(event: StoredEvent, onFlushed?: () => void): void {
    this.sent = event.seq;
    this.send({ t: 'ev', seq: event.seq, type: event.type, body: event.body }, onFlushed);
  }

  /** `onFlushed` runs once the frame has left the process, or at once if it never will. */
  send(frame: object, onFlushed?: () => void): void {
    if (this.socket.readyState !== this.socket.OPEN) return onFlushed?.();
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.socket.close(1013, 'too far behind; reconnect to resume');
      return onFlushed?.();
    }
    this.corkUntilNextTick();
    this.socket.send(JSON.stringify(frame), onFlushed && (() => onFlushed()));
  }

  /**
   * Frames sent to one socket in the same tick (an answer and its echo event, a batch's
   * events) leave in one write instead of one system call each.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    const raw = (this.socket as unknown as { _socket?: Socket })._socket;
    if (!raw) return;
    this.corked = true;
    raw.cork();
    process.nextTick(() => {
      this.corked = false;
      raw.uncork();
    });
  }

  private sendError(id: string | null, error: unknown): void {
    const body: ErrorBody = error instanceof PodError ? error.toBody() : { code: 'internal', message: 'internal error' };
    if (!(error instanceof PodError)) this.deps.log.error({ err: error }, 'socket frame failed');
    this.send({ t: 'res', id, ok: false, error: body });
  }

  private onClose(): void {
    const wasOpen = this.phase === 'open';
    this.phase = 'closed';
    clearTimeout(this.gapTimer);
    if (wasOpen) this.hooks.closed(this);
  }
}

function parseFrame(data: Buffer, isBinary: boolean): ClientFrame {
  if (isBinary) throw new PodError('invalid', 'frames are JSON text, not binary');
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    throw new PodError('invalid', 'the frame is not valid JSON');
  }
  const parsed = clientFrame.safeParse(json);
  if (!parsed.success) throw invalidInput(parsed.error, 'frame');
  return parsed.data;
}
