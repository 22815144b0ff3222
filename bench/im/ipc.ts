/** What the parent and the load-generator processes say to each other over IPC. */
import type { HistogramData } from './stats.ts';

export interface UserSpec {
  name: string;
  /** The session token; for the baseline, the user's name (it authenticates nothing). */
  token: string;
  /** Whom this user sends to in throughput mode (its buddy). */
  partner: string;
  /** The server this user connects to, where it is not the command's (users spread over several gateways). */
  url?: string;
}

export type Command =
  | { cmd: 'connect'; url: string; users: UserSpec[]; concurrency: number }
  | { cmd: 'step'; index: number; rate: number; seconds: number; drainMs: number; textBytes: number }
  | { cmd: 'idle'; url: string; tokens: string[]; concurrency: number }
  | { cmd: 'sync'; url: string; target: UserSpec; senders: UserSpec[]; messages: number; window: number; timeoutMs: number; textBytes: number }
  | { cmd: 'close' };

export interface ConnectReply {
  open: number;
  failed: number;
  firstError?: string;
  ms: number;
}

export interface StepReply {
  /** Messages sent in the send window, and sent per second of it. */
  sent: number;
  sentPerSecond: number[];
  /** Messages received (as recipient) during the send window, per second of it. */
  receivedPerSecond: number[];
  /** Messages of this step received once (by the end of the drain). */
  delivered: number;
  duplicates: number;
  /** Sends the server refused, by error code. */
  errors: Record<string, number>;
  /** Events whose seq skipped or repeated on a connection. */
  seqGaps: number;
  seqRepeats: number;
  /** Messages of earlier steps that arrived after their step was reported. */
  late: number;
  latency: HistogramData;
  /** How far the send schedule slipped behind (generator busy), at most. */
  maxLagMs: number;
  drainMs: number;
  closedSockets: number;
}

export interface SyncReply {
  messages: number;
  sendMs: number;
  sendErrors: Record<string, number>;
  /** Seq the device had when it went offline, and what the reconnect's welcome said. */
  afterSeq: number;
  welcomeHead: number;
  welcomeFrom: number;
  received: number;
  distinct: number;
  duplicates: number;
  /** Events whose seq was not the previous one + 1. */
  outOfOrder: number;
  missing: number;
  msToWelcome: number;
  msToSynced: number | null;
  msToAll: number | null;
  eventsPerSecond: number | null;
  timedOut: boolean;
}

export type Reply = { rid: number; ok: true; body: unknown } | { rid: number; ok: false; error: string };
