import type { EventBody, EventType, OpInput, OpName, OpOutput, Ops } from '@pod/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.ts';
import type { Caller } from '../messenger/messenger.ts';

/** Settings an application server may read; fixed at start. */
export interface AppSettings {
  openRegistration: boolean;
  /** How long a device that disconnected still counts as online (a quick reconnect does not flap). */
  presenceGraceMs: number;
  /** How long a connected device counts as online without a refresh from its gateway. */
  presenceLeaseMs: number;
  /** Logical bytes each user may keep in their files; 0: no limit. */
  filesQuotaBytes: number;
  /** Earlier versions kept per file. */
  filesVersions: number;
  /** How long an unfinished upload stays resumable after its last activity. */
  filesUploadTtlMs: number;
  /** How long an unreferenced chunk survives before it is collected. */
  filesGcGraceMs: number;
}

/**
 * Everything an application server gets: its own tables, the blob store, the messenger (as
 * `call` and `push`), a logger and the settings. Apps import nothing else of the server.
 */
export interface AppContext<T> {
  readonly db: Kysely<T>;
  /**
   * Content-addressed bytes (file chunks), shared by every app and the gateway. In a process
   * that opened none (an apps process without `files`) every call fails as `unavailable`.
   */
  readonly blobs: Blobs;
  readonly log: Logger;
  readonly settings: AppSettings;
  /** Asks another application server through the messenger; a failure arrives as PodError. */
  call<N extends OpName>(op: N, body: OpInput<N>): Promise<OpOutput<N>>;
  /** Sends a transient event (never stored, never replayed) to users' connected devices. */
  push<E extends EventType>(userIds: readonly number[], type: E, body: EventBody<E>): void;
  /** Ends sessions' live connections at once (revoked, user disabled). */
  revokeSessions(userId: number, sessions: string[] | 'all'): void;
  /** Tells every process listening to `topic` (after a commit, outside any transaction). */
  announce(topic: string, payload?: unknown): void;
  /** Listens for announcements on a topic from any process (see WriteScope.announce). */
  onAnnouncement(topic: string, listener: (payload: unknown) => void): () => void;
  /**
   * Background work (a sweep) in one transaction, with the scope a write handler gets: its
   * events are appended and retracted in that transaction and pushed after it commits. A
   * failure rolls it all back.
   */
  write<R>(work: (scope: WriteScope<T>) => Promise<R>): Promise<R>;
}

export interface EmitOptions {
  /**
   * What the event is about (`room-message:<id>`), so that it can be retracted later: give it
   * to every event that carries content which may have to go (a message's text).
   */
  subject?: string;
}

/**
 * Stored events about `subject`, or only those of type `ofType`, become `type` with `body`:
 * in place, in every mailbox that holds them.
 */
export type Retraction = { [E in EventType]: { subject: string; ofType?: EventType; type: E; body: EventBody<E> } }[EventType];

/** What a write handler sees inside the batch transaction. */
export interface WriteScope<T> {
  readonly tx: Transaction<T>;
  /** ISO time of this batch, the same for every row it writes. */
  readonly now: string;
  /** Appends a stored event to users' mailboxes, in this transaction once the batch's requests have run; published after commit. */
  emit<E extends EventType>(userIds: readonly number[], type: E, body: EventBody<E>, options?: EmitOptions): Promise<void>;
  /**
   * Takes back what stored events said (a message that expired or was deleted for everyone):
   * each retraction replaces, in place, the events emitted about its subject, earlier or in
   * this transaction, so a device that replays its mailbox later gets the replacement at the
   * same seq, never the content. Devices that already have the events learn of it only from
   * an event the app emits as well. All in one statement at the end of the transaction.
   */
  retractEvents(retractions: readonly Retraction[]): Promise<void>;
  /** Runs after the transaction commits (pushes, revocations); never if it rolls back. */
  afterCommit(fn: () => void): void;
  /** After commit, tells every process listening to `topic` that something it may cache changed. */
  announce(topic: string, payload?: unknown): void;
}

export interface RequestInfo {
  id: string;
  caller: Caller | undefined;
  address: string | undefined;
}

type Input<N extends OpName> = z.output<Ops[N]['input']>;

export interface ReadHandler<N extends OpName, T> {
  read(input: Input<N>, request: RequestInfo, ctx: AppContext<T>): Promise<OpOutput<N>>;
}

export interface WriteHandler<N extends OpName, T, P> {
  /** Outside any transaction: slow work (password hashing) and calls to other apps. */
  prepare?(input: Input<N>, request: RequestInfo, ctx: AppContext<T>): Promise<P>;
  /** Inside the batch transaction, with this request's savepoint: all effects, no waiting on others. */
  write(scope: WriteScope<T>, input: Input<N>, request: RequestInfo & { prepared: P }, ctx: AppContext<T>): Promise<OpOutput<N>>;
  /**
   * Optionally, the effects of several consecutive requests of this operation at once, in
   * order, with the same outcome as `write` for each in turn: set-wise statements, so a batch
   * costs the store a few round trips whatever its size. A failure fails them all, and the
   * runner then runs each alone through `write`.
   */
  writeMany?(scope: WriteScope<T>, requests: ReadonlyArray<{ input: Input<N>; request: RequestInfo & { prepared: P } }>, ctx: AppContext<T>): Promise<Array<OpOutput<N>>>;
}

// The prepared value's type is private to each handler; the runner only passes it along.
export type OpHandler<N extends OpName, T> = ReadHandler<N, T> | WriteHandler<N, T, any>;

export type AppOps<T> = { [N in OpName]?: OpHandler<N, T> };

export interface AppServer<T = unknown> {
  name: string;
  ops: AppOps<T>;
  /** Background work (expiry sweeps); returns how to stop it. */
  start?(ctx: AppContext<T>): () => void;
}

export function defineApp<T>(app: AppServer<T>): AppServer<T> {
  return app;
}

/** An app of any table set, as the registry and the runner hold them. */
export type AnyAppServer = AppServer<any>;
