import type { ErrorBody } from '@pod/protocol';
import type { StoredEvent } from '../mailbox/mailbox.repo.ts';

/** Who a request acts for. Internal requests from servers carry no caller. */
export interface Caller {
  userId: number;
  name: string;
  admin: boolean;
  session: string;
}

/** A request in an application mailbox: `{ id, user, device, op, body }` of DESIGN.md. */
export interface AppRequest {
  id: string;
  op: string;
  body: unknown;
  caller?: Caller;
  /** Facts about the transport an app may need (rate limiting by address). */
  meta?: { address?: string };
}

export type AppResponse = { ok: true; body: unknown } | { ok: false; error: ErrorBody };

/**
 * What reaches a user's gateway: stored events (already committed, with seqs), a transient
 * event (never stored), or a control word about the user's sessions.
 */
export type Delivery =
  | { kind: 'events'; events: StoredEvent[]; committedAt: number }
  | { kind: 'transient'; type: string; body: unknown }
  | { kind: 'revoke'; sessions: string[] | 'all' };

export type RequestHandler = (request: AppRequest) => Promise<AppResponse>;

export interface Consumer {
  stop(): Promise<void>;
}

/**
 * The messenger joins gateways and application servers. Application mailboxes are work
 * queues (competing consumers); user subjects route deliveries to whichever gateway holds
 * the user's connections. It carries work and hints; the store holds the truth.
 */
export interface Messenger {
  request(app: string, request: AppRequest, timeoutMs?: number): Promise<AppResponse>;
  consume(app: string, handler: RequestHandler): Promise<Consumer>;
  publish(userId: number, delivery: Delivery): void;
  subscribe(userId: number, onDelivery: (delivery: Delivery) => void): () => void;
  /**
   * Tells every process listening to `topic` (cache invalidation). Best effort, live
   * listeners only: a listener that may have missed announcements (a reconnect) must treat
   * everything as changed.
   */
  broadcast(topic: string, payload: unknown): void;
  onBroadcast(topic: string, listener: (payload: unknown) => void): () => void;
  close(): Promise<void>;
}
