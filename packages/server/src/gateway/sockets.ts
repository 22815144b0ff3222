import { MAX_FRAME_BYTES, PodError } from '@pod/protocol';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyAddr from '@fastify/proxy-addr';
import { WebSocketServer } from 'ws';
import type { Caller, Delivery } from '../messenger/messenger.ts';
import { bearerToken } from './auth.ts';
import { Connection } from './connection.ts';
import type { GatewayDeps } from './deps.ts';
import { originAllowed } from './origin.ts';
import { sessionCookie } from './web-session.ts';

export interface SocketOptions {
  gatewayId: string;
  origins: readonly string[];
  trustProxy: readonly string[];
  presenceLeaseMs: number;
  /** How often open connections are checked for live deliveries the messenger lost. */
  missedDeliveryCheckMs: number;
}

/** Mailbox heads are read this many users at a time. */
const HEADS_PER_QUERY = 500;
/** How long a connecting device waits for the presence app before it is welcomed anyway. */
const PRESENCE_CONNECT_WAIT_MS = 5_000;

/**
 * The WebSocket side of the gateway: upgrades, the local routing table (user -> open
 * connections, one messenger subscription per user), heartbeat expiry and the presence lease.
 */
export class SocketHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
  private readonly byUser = new Map<number, { connections: Set<Connection>; unsubscribe: () => void }>();
  private readonly all = new Set<Connection>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly leaseTimer: NodeJS.Timeout;
  private readonly headTimer: NodeJS.Timeout;
  private checkingHeads = false;
  private readonly trustedProxy: ((address: string, hop: number) => boolean) | undefined;
  /** Set once shutdown begins: a socket accepted after that would be left on a dead server. */
  private closing = false;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly options: SocketOptions,
  ) {
    this.trustedProxy = options.trustProxy.length > 0 ? proxyAddr.compile([...options.trustProxy]) : undefined;
    this.sweeper = setInterval(() => this.closeSilent(), Math.max(250, deps.heartbeatMs / 2));
    this.leaseTimer = setInterval(() => void this.refreshPresence(), Math.max(500, options.presenceLeaseMs / 3));
    this.headTimer = setInterval(() => void this.recoverMissedDeliveries(), options.missedDeliveryCheckMs);
    this.sweeper.unref();
    this.leaseTimer.unref();
    this.headTimer.unref();
  }

  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    if (this.closing) return reject(socket, 503, 'shutting down');
    if (!originAllowed(request.headers, this.options.origins)) return reject(socket, 403, 'origin not allowed');
    let headerCaller: Caller | undefined;
    const bearer = bearerToken(request.headers.authorization);
    // A browser sends its cookie to any page's socket to this host: only pages of an allowed
    // origin (checked above) may use it, and a cookie upgrade without an Origin is no browser's.
    const cookie = bearer ? undefined : sessionCookie(request.headers);
    if (cookie && request.headers.origin === undefined) return reject(socket, 403, 'origin required');
    const token = bearer ?? cookie;
    if (token) {
      try {
        headerCaller = await this.deps.resolveToken(token);
      } catch (error) {
        return reject(socket, error instanceof PodError ? error.httpStatus : 500, 'unauthorized');
      }
    }
    if (this.closing) return reject(socket, 503, 'shutting down');
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const address = this.trustedProxy ? proxyAddr(request, this.trustedProxy) : request.socket.remoteAddress;
      const connection = new Connection(ws, this.deps, address, headerCaller, {
        opened: (c) => this.opened(c),
        closed: (c) => this.closed(c),
      });
      this.all.add(connection);
      this.deps.metrics.connections.inc();
      ws.once('close', () => {
        this.all.delete(connection);
        this.deps.metrics.connections.dec();
      });
    });
  }

  /** Settles once the presence app has the device online (or gave up), so a welcomed client sees itself online. */
  private opened(connection: Connection): Promise<void> {
    const caller = connection.caller!;
    let entry = this.byUser.get(caller.userId);
    if (!entry) {
      const connections = new Set<Connection>();
      const unsubscribe = this.deps.messenger.subscribe(caller.userId, (delivery: Delivery) => {
        for (const c of connections) c.deliver(delivery);
      });
      entry = { connections, unsubscribe };
      this.byUser.set(caller.userId, entry);
    }
    entry.connections.add(connection);
    return this.tell('presence.connect', { userId: caller.userId, session: caller.session, gateway: this.options.gatewayId }, PRESENCE_CONNECT_WAIT_MS);
  }

  private closed(connection: Connection): void {
    const caller = connection.caller!;
    const entry = this.byUser.get(caller.userId);
    if (entry) {
      entry.connections.delete(connection);
      if (entry.connections.size === 0) {
        entry.unsubscribe();
        this.byUser.delete(caller.userId);
      }
    }
    const sameDeviceStillOpen = entry && [...entry.connections].some((c) => c.caller?.session === caller.session);
    if (!sameDeviceStillOpen) void this.tell('presence.disconnect', { userId: caller.userId, session: caller.session, gateway: this.options.gatewayId });
  }

  /** Closes sockets that missed two heartbeats; the device's cursor stays for its return. */
  private closeSilent(): void {
    const limit = Date.now() - 2 * this.deps.heartbeatMs;
    for (const connection of this.all) {
      if (connection.lastSeen < limit) connection.socket.terminate();
    }
  }

  private async refreshPresence(): Promise<void> {
    const devices = new Map<string, { userId: number; session: string }>();
    for (const { connections } of this.byUser.values()) {
      for (const c of connections) if (c.caller) devices.set(c.caller.session, { userId: c.caller.userId, session: c.caller.session });
    }
    if (devices.size > 0) await this.tell('presence.refresh', { gateway: this.options.gatewayId, devices: [...devices.values()] });
  }
  /** The store is the truth: compares every open connection with its user's mailbox head (Connection.checkHead). */
  private async recoverMissedDeliveries(): Promise<void> {
    if (this.checkingHeads || this.closing) return;
    this.checkingHeads = true;
    try {
      const users = [...this.byUser.keys()];
      for (let i = 0; i < users.length; i += HEADS_PER_QUERY) {
        const heads = await this.deps.mailboxHeads(users.slice(i, i + HEADS_PER_QUERY));
        for (const [userId, head] of heads) {
          for (const connection of this.byUser.get(userId)?.connections ?? []) {
            if (connection.checkHead(head)) this.deps.metrics.missedDeliveries.inc();
          }
        }
      }
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not read mailbox heads to recover missed deliveries');
    } finally {
      this.checkingHeads = false;
    }
  }

  /** Presence is best effort: a failure is logged, never thrown, and the lease sweep repairs it. */
  private async tell(op: string, body: unknown, timeoutMs?: number): Promise<void> {
    try {
      const response = await this.deps.messenger.request('presence', { id: randomUUID(), op, body }, timeoutMs);
      if (!response.ok) this.deps.log.warn({ op, error: response.error }, 'presence update failed');
    } catch (error) {
      this.deps.log.warn({ op, err: error }, 'presence update failed');
    }
  }


  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    clearInterval(this.leaseTimer);
    clearInterval(this.headTimer);
    for (const connection of this.all) connection.socket.close(1001, 'server shutting down');
    for (const { unsubscribe } of this.byUser.values()) unsubscribe();
    this.byUser.clear();
  }
}

function reject(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
