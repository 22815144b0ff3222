import { PodError } from '@pod/protocol';
import { randomUUID } from 'node:crypto';
import { connect, Events, type JetStreamClient, type JetStreamManager, type NatsConnection, type Subscription } from 'nats';
import pino, { type Logger } from 'pino';
import { RequestOutbox } from './nats-outbox.ts';
import { consumeWorkQueue, type AnswerEnvelope, defaultWorkQueueOptions, ensureStream, streamName, type WorkQueueOptions } from './nats-queue.ts';
import type { AppRequest, AppResponse, Consumer, Delivery, Messenger, RequestHandler } from './messenger.ts';

export interface NatsMessengerOptions extends Partial<Omit<WorkQueueOptions, 'prefix'>> {
  /** `nats://host:port`, or several separated by commas. */
  url: string;
  /** Names this deployment's stream and subjects (`<prefix>.app.im`, `<prefix>.user.42`), so deployments and test runs never meet. */
  prefix?: string;
  log?: Logger;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const encode = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value ?? null));
const decode = (data: Uint8Array): unknown => JSON.parse(decoder.decode(data));

/** A prefix is one NATS subject token and part of a stream name. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(prefix)) throw new PodError('invalid', `NATS prefix "${prefix}": use 1-32 characters of A-Z, a-z, 0-9, "_" or "-"`);
  return prefix;
}

/**
 * `nats://user:password@host:4222,nats://host2:4222` as connection options: the client takes
 * credentials as options, not from the URL, so they are lifted out (the first given wins).
 */
export function natsServers(url: string): { servers: string[]; user?: string; pass?: string } {
  let user: string | undefined;
  let pass: string | undefined;
  const servers = url.split(',').map((server) => {
    const match = /^([a-z]+:\/\/)([^@/]*)@(.*)$/.exec(server.trim());
    if (!match) return server.trim();
    const [name, password] = match[2]!.split(':');
    user ??= decodeURIComponent(name ?? '');
    if (password !== undefined) pass ??= decodeURIComponent(password);
    return `${match[1]}${match[3]}`;
  });
  return { servers, ...(user ? { user } : {}), ...(pass !== undefined ? { pass } : {}) };
}

/** A URL fit for an error message: no credentials. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//***@');
}

/**
 * The messenger of the distributed profile. Application mailboxes are one JetStream work-queue
 * stream (subject `<prefix>.app.<app>`), shared by competing durable pull consumers; answers and
 * deliveries are core NATS messages. A user's subject (`<prefix>.user.<id>`) has interest only
 * where a gateway holds that user's connections, so NATS's interest graph is the routing table.
 * Everything is JSON, as in the local messenger. It carries work and hints; the store is the truth.
 */
export class NatsMessenger implements Messenger {
  private readonly topics = new Map<string, { listeners: Set<(payload: unknown) => void>; subscription: Subscription }>();
  private readonly users = new Map<number, UserSubject>();
  private readonly consumers = new Set<Consumer & { abandon(): void }>();
  private readonly instance = randomUUID();
  /** Requests waiting for an answer: a closing messenger answers them `unavailable` at once. */
  private readonly waiting = new Set<() => void>();
  /** Answers to this process's own requests (no caller) arrive here, by request id. */
  private readonly serverReplies = new Map<string, (response: AppResponse) => void>();
  private serverReplySubscription: Subscription | undefined;
  private closed = false;
  private readonly outbox: RequestOutbox;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: WorkQueueOptions,
    private readonly log: Logger,
  ) {
    this.outbox = new RequestOutbox(js, options.prefix, () => (nc.info?.max_payload ?? 1024 * 1024) - 512, log, () => this.closed);
    void this.watchStatus();
  }

  static async connect(options: NatsMessengerOptions): Promise<NatsMessenger> {
    const prefix = checkPrefix(options.prefix ?? 'pod');
    const log = options.log ?? pino({ level: 'silent' });
    let nc: NatsConnection;
    try {
      // No async stack traces: the client would capture a stack for every request it sends.
      nc = await connect({ ...natsServers(options.url), name: `pod-${prefix}`, maxReconnectAttempts: -1, reconnectTimeWait: 500, timeout: 5000, noAsyncTraces: true });
    } catch (error) {
      throw new PodError('unavailable', `cannot reach NATS at ${redact(options.url)}: ${(error as Error).message}`);
    }
    try {
      const jsm = await nc.jetstreamManager();
      const { url: _url, prefix: _prefix, log: _log, ...tuning } = options;
      const queue: WorkQueueOptions = { ...defaultWorkQueueOptions, ...definedOnly(tuning), prefix };
      await ensureStream(jsm, queue);
      return new NatsMessenger(nc, nc.jetstream(), jsm, queue, log.child({ messenger: 'nats' }));
    } catch (error) {
      await nc.close().catch(() => {});
      throw new PodError('unavailable', `NATS at ${redact(options.url)} has no usable JetStream (start nats-server with -js): ${(error as Error).message}`);
    }
  }

  get prefix(): string {
    return this.options.prefix;
  }

  /**
   * Queues a request and waits for its answer. Answers come back without a subscription per
   * request (which costs NATS a change of its interest graph twice a request): a user's
   * answer travels on that user's subject, which every gateway holding the user's connections
   * already listens to, so a retry through another gateway hears the original's answer; a
   * server's own request is answered on this process's reply subject.
   */
  async request(app: string, request: AppRequest, timeoutMs = 30_000): Promise<AppResponse> {
    if (this.closed) return unavailable(app);
    const json = JSON.stringify(request);
    if (Buffer.byteLength(json) > this.maxRequestBytes()) {
      return { ok: false, error: new PodError('too_large', 'the request is too large for the messenger; send less at once').toBody() };
    }
    let resolveAnswer!: (response: AppResponse) => void;
    const answer = new Promise<AppResponse>((resolve) => (resolveAnswer = resolve));
    let replySubject: string;
    let stopWaiting: () => void;
    try {
      if (request.caller) {
        const userId = request.caller.userId;
        const user = this.userSubject(userId);
        let resolvers = user.answers.get(request.id);
        if (!resolvers) user.answers.set(request.id, (resolvers = new Set()));
        resolvers.add(resolveAnswer);
        replySubject = user.subject;
        stopWaiting = () => {
          resolvers.delete(resolveAnswer);
          if (resolvers.size === 0 && user.answers.get(request.id) === resolvers) user.answers.delete(request.id);
          this.releaseIfUnused(userId, user);
        };
      } else {
        replySubject = this.serverReplySubject();
        this.serverReplies.set(request.id, resolveAnswer);
        stopWaiting = () => this.serverReplies.delete(request.id);
      }
    } catch {
      return unavailable(app);
    }
    const giveUp = () => resolveAnswer(unavailable(app));
    const timer = setTimeout(giveUp, timeoutMs);
    this.waiting.add(giveUp);
    try {
      const sent = this.outbox.send(app, `{"reply":${JSON.stringify(replySubject)},"request":${json}}`);
      const failed = sent.then((ok) => (ok ? new Promise<never>(() => {}) : unavailable(app)));
      return await Promise.race([answer, failed]);
    } finally {
      clearTimeout(timer);
      this.waiting.delete(giveUp);
      stopWaiting();
    }
  }

  private serverReplySubject(): string {
    const subject = `${this.prefix}.reply.${this.instance}`;
    this.serverReplySubscription ??= this.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        const envelope = readEnvelope(msg.data);
        if (envelope?.kind === 'answer') this.serverReplies.get(envelope.id)?.(envelope.response);
      },
    });
    return subject;
  }

  /** The user's subject, subscribed once however many deliveries listeners and waiting requests share it. */
  private userSubject(userId: number): UserSubject {
    let user = this.users.get(userId);
    if (user) return user;
    const subject = `${this.prefix}.user.${userId}`;
    const listeners = new Set<(delivery: Delivery) => void>();
    const answers = new Map<string, Set<(response: AppResponse) => void>>();
    const subscription = this.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        const envelope = readEnvelope(msg.data);
        if (!envelope) return this.log.error({ userId }, 'dropping a delivery that is not JSON');
        if (envelope.kind === 'answer') {
          for (const resolve of [...(answers.get(envelope.id) ?? [])]) resolve(envelope.response);
          return;
        }
        for (const listener of [...listeners]) {
          try {
            listener(envelope);
          } catch (err) {
            this.log.error({ err, userId }, 'delivery listener failed');
          }
        }
      },
    });
    user = { subject, subscription, listeners, answers };
    this.users.set(userId, user);
    return user;
  }

  private releaseIfUnused(userId: number, user: UserSubject): void {
    if (user.listeners.size > 0 || user.answers.size > 0 || this.users.get(userId) !== user) return;
    this.users.delete(userId);
    safely(() => user.subscription.unsubscribe());
  }

  /** A request's envelope must fit NATS's payload limit, with room for the reply subject and the batch. */
  private maxRequestBytes(): number {
    return (this.nc.info?.max_payload ?? 1024 * 1024) - 1024;
  }

  async consume(app: string, handler: RequestHandler): Promise<Consumer> {
    const consumer = await consumeWorkQueue(this.nc, this.js, this.jsm, app, handler, this.options, this.log.child({ app }));
    this.consumers.add(consumer);
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.stop();
      },
    };
  }

  publish(userId: number, delivery: Delivery): void {
    if (this.closed) return;
    const subject = `${this.prefix}.user.${userId}`;
    const max = (this.nc.info?.max_payload ?? 1024 * 1024) - 1024;
    for (const part of splitDelivery(delivery, max)) {
      try {
        this.nc.publish(subject, part);
      } catch (error) {
        this.log.debug({ err: error, userId }, 'delivery not published');
      }
    }
  }

  subscribe(userId: number, onDelivery: (delivery: Delivery) => void): () => void {
    if (this.closed) return () => {};
    const user = this.userSubject(userId);
    const listener = (delivery: Delivery) => onDelivery(delivery);
    user.listeners.add(listener);
    return () => {
      user.listeners.delete(listener);
      this.releaseIfUnused(userId, user);
    };
  }

  broadcast(topic: string, payload: unknown): void {
    if (this.closed) return;
    safely(() => this.nc.publish(`${this.prefix}.topic.${topic}`, encode(payload)));
  }

  onBroadcast(topic: string, listener: (payload: unknown) => void): () => void {
    let entry = this.topics.get(topic);
    if (!entry && !this.closed) {
      const listeners = new Set<(payload: unknown) => void>();
      const subscription = this.nc.subscribe(`${this.prefix}.topic.${topic}`, {
        callback: (error, msg) => {
          if (error) return;
          let payload: unknown;
          try {
            payload = decode(msg.data);
          } catch {
            payload = null;
          }
          for (const l of [...listeners]) this.tell(l, payload, topic);
        },
      });
      entry = { listeners, subscription };
      this.topics.set(topic, entry);
    }
    entry?.listeners.add(listener);
    return () => {
      const current = this.topics.get(topic);
      if (!current) return;
      current.listeners.delete(listener);
      if (current.listeners.size === 0) {
        safely(() => current.subscription.unsubscribe());
        this.topics.delete(topic);
      }
    };
  }

  /** Resolves once the NATS server has processed everything this messenger sent (subscriptions included). */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  /** Drains: consumers finish and acknowledge what they took, then the connection flushes and closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const consumer of [...this.consumers]) await consumer.stop();
    this.consumers.clear();
    this.closed = true;
    this.giveUpWaiting();
    this.topics.clear();
    this.users.clear();
    await this.nc.drain().catch(() => this.nc.close());
  }

  /** Drops the connection as a crash would: nothing taken is acknowledged. For fault tests. */
  async abort(): Promise<void> {
    this.closed = true;
    for (const consumer of this.consumers) consumer.abandon();
    this.consumers.clear();
    this.giveUpWaiting();
    this.topics.clear();
    this.users.clear();
    await this.nc.close().catch(() => {});
  }

  private giveUpWaiting(): void {
    for (const giveUp of [...this.waiting]) giveUp();
    this.waiting.clear();
  }

  private tell(listener: (payload: unknown) => void, payload: unknown, topic: string): void {
    try {
      listener(payload);
    } catch (err) {
      this.log.error({ err, topic }, 'announcement listener failed');
    }
  }

  /** Announcements sent while the connection was down are lost: every listener hears "anything may have changed". */
  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) this.log.warn({ server: status.data }, 'NATS connection lost; reconnecting');
      if (status.type === Events.Reconnect) {
        this.log.info({ server: status.data }, 'NATS connection back');
        for (const [topic, { listeners }] of this.topics) for (const l of [...listeners]) this.tell(l, null, topic);
      }
    }
  }
}

/** One user's subject: deliveries for the gateway's connections, and answers to requests made for the user. */
interface UserSubject {
  subject: string;
  subscription: Subscription;
  listeners: Set<(delivery: Delivery) => void>;
  answers: Map<string, Set<(response: AppResponse) => void>>;
}

/** What arrives on a user's or a reply subject: a delivery, or an answer to a request (see ANSWER). */
function readEnvelope(data: Uint8Array): Delivery | AnswerEnvelope | undefined {
  try {
    return decode(data) as Delivery | AnswerEnvelope;
  } catch {
    return undefined;
  }
}

/** Stored events can be many at once: split them so each message fits NATS's payload limit. */
function splitDelivery(delivery: Delivery, max: number): Uint8Array[] {
  const data = encode(delivery);
  if (data.length <= max || delivery.kind !== 'events' || delivery.events.length < 2) return [data];
  const half = Math.ceil(delivery.events.length / 2);
  return [
    ...splitDelivery({ ...delivery, events: delivery.events.slice(0, half) }, max),
    ...splitDelivery({ ...delivery, events: delivery.events.slice(half) }, max),
  ];
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function safely(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // the connection is closing; the store is the truth
  }
}

function unavailable(app: string): AppResponse {
  return { ok: false, error: new PodError('unavailable', `the ${app} service is not answering; retry with the same request id`).toBody() };
}

/** Deletes a deployment's stream (and with it its consumers): for test runs and teardown. */
export async function deleteNatsStreams(url: string, prefix: string): Promise<void> {
  const nc = await connect({ ...natsServers(url), timeout: 5000 });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(streamName(checkPrefix(prefix))).catch(() => false);
  } finally {
    await nc.close();
  }
}
