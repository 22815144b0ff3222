import { PodError } from '@pod/protocol';
import { AckPolicy, DeliverPolicy, DiscardPolicy, nanos, RetentionPolicy, StorageType, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { AppRequest, AppResponse, Consumer, RequestHandler } from './messenger.ts';

/** A request as it waits in a work queue, with the core NATS subject its answer goes to. */
export interface RequestEnvelope {
  reply?: string;
  request: AppRequest;
}

/**
 * An answer as it travels: on a user's subject beside that user's deliveries, or on a
 * process's reply subject, so the id tells which request it answers.
 */
export interface AnswerEnvelope {
  kind: 'answer';
  id: string;
  response: AppResponse;
}

export interface WorkQueueOptions {
  prefix: string;
  /** How long a delivered message may stay unacknowledged before another instance gets it. */
  ackWaitMs: number;
  /**
   * Unacknowledged messages per app across all its instances (the consumer's max_ack_pending).
   * A message holds the requests one process queued in one turn (nats-outbox.ts).
   */
  maxAckPending: number;
  /** Messages one instance runs at once, so the runner's group commit has something to batch. */
  maxInFlight: number;
  /** How long one pull request waits on the server before the client pulls again. */
  pullExpiresMs: number;
  /** How long a queued request may wait for any consumer before JetStream drops it. */
  maxAgeMs: number;
}

export const defaultWorkQueueOptions: Omit<WorkQueueOptions, 'prefix'> = {
  ackWaitMs: 30_000,
  maxAckPending: 512,
  maxInFlight: 64,
  pullExpiresMs: 30_000,
  maxAgeMs: 10 * 60_000,
};

export const streamName = (prefix: string): string => `${prefix}-apps`;
export const appSubject = (prefix: string, app: string): string => `${prefix}.app.${app}`;
export const durableName = (app: string): string => `app-${app}`;

/** Creates the deployment's work-queue stream, or accepts the one already there. */
export async function ensureStream(jsm: JetStreamManager, options: WorkQueueOptions): Promise<void> {
  const name = streamName(options.prefix);
  const config = {
    name,
    subjects: [`${options.prefix}.app.*`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(options.maxAgeMs),
  };
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // Another process created it first, or with settings of an earlier version: use it as it is.
    await jsm.streams.info(name).catch(() => {
      throw error;
    });
  }
}

async function ensureConsumer(jsm: JetStreamManager, app: string, options: WorkQueueOptions): Promise<void> {
  const stream = streamName(options.prefix);
  const durable = durableName(app);
  const config = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs),
    max_ack_pending: options.maxAckPending,
    filter_subject: appSubject(options.prefix, app),
  };
  try {
    await jsm.consumers.add(stream, config);
  } catch (error) {
    try {
      await jsm.consumers.update(stream, durable, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
    } catch {
      await jsm.consumers.info(stream, durable).catch(() => {
        throw error;
      });
    }
  }
}

/**
 * One instance's share of an app's work queue: a durable pull consumer that every instance of
 * the app binds to (competing consumers). Each request is answered on its reply subject, then
 * acknowledged; a request whose instance dies unacknowledged goes to another after the ack wait.
 */
export async function consumeWorkQueue(
  nc: NatsConnection,
  js: JetStreamClient,
  jsm: JetStreamManager,
  app: string,
  handler: RequestHandler,
  options: WorkQueueOptions,
  log: Logger,
): Promise<Consumer & { abandon(): void }> {
  await ensureConsumer(jsm, app, options);
  const consumer = await js.consumers.get(streamName(options.prefix), durableName(app));
  let stopped = false;
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  let current: ConsumerMessages | undefined;
  const running = new Set<Promise<void>>();

  const answer = async (reply: string | undefined, request: AppRequest): Promise<void> => {
    let response: AppResponse;
    try {
      response = await handler(request);
    } catch (error) {
      log.error({ err: error, app, op: request.op }, 'request handler threw');
      response = { ok: false, error: new PodError('internal', 'the server failed to handle this request').toBody() };
    }
    if (reply) publishAnswer(nc, reply, request.id, response, log);
  };

  /** A message holds the requests a process queued in one turn (nats-outbox.ts); it is acknowledged once all are answered. */
  const runOne = async (message: JsMsg): Promise<void> => {
    // A slow handler keeps its claim on the requests instead of having them handed to another instance.
    const keepAlive = setInterval(() => safely(() => message.working()), Math.max(100, options.ackWaitMs / 3));
    keepAlive.unref();
    try {
      const envelopes = readRequests(message.data);
      if (!envelopes) {
        log.error({ app, seq: message.seq }, 'dropping a message that holds no requests');
        safely(() => message.term());
        return;
      }
      await Promise.all(envelopes.map(({ reply, request }) => answer(reply, request)));
      safely(() => message.ack());
    } finally {
      clearInterval(keepAlive);
    }
  };

  const start = (message: JsMsg): void => {
    inFlight++;
    const run = runOne(message).finally(() => {
      inFlight--;
      running.delete(run);
      slotFreed?.();
      slotFreed = undefined;
    });
    running.add(run);
  };

  // Pulls only as many messages as this instance has free slots, so no instance hoards work
  // that another could run now, and a crash strands at most maxInFlight messages. A busy
  // instance pulls again once half its slots are free, not for every slot freed: one pull
  // request per message would cost the NATS server as much as the messages themselves.
  const loop = (async () => {
    while (!stopped) {
      while (inFlight > options.maxInFlight / 2 && !stopped) await new Promise<void>((resolve) => (slotFreed = resolve));
      if (stopped) break;
      const began = Date.now();
      let received = 0;
      try {
        current = await consumer.fetch({ max_messages: options.maxInFlight - inFlight, expires: options.pullExpiresMs });
        for await (const message of current) {
          received++;
          if (stopped) safely(() => message.nak());
          else start(message);
        }
      } catch (error) {
        if (!stopped) log.warn({ err: error, app }, 'pulling requests failed; retrying');
      } finally {
        current = undefined;
      }
      // A pull that ends at once with nothing (NATS down, consumer missing) must not spin.
      if (!stopped && received === 0 && Date.now() - began < 500) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();

  return {
    /** Stops pulling and leaves what was taken unacknowledged, as a crash would. */
    abandon() {
      stopped = true;
      safely(() => current?.stop());
      slotFreed?.();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      safely(() => current?.stop());
      slotFreed?.();
      // Requests already taken finish and are acknowledged, so a clean stop hands nothing to the ack wait.
      await Promise.allSettled([...running]);
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };
}

function publishAnswer(nc: NatsConnection, subject: string, id: string, response: AppResponse, log: Logger): void {
  const encode = (answer: AppResponse) => new TextEncoder().encode(JSON.stringify({ kind: 'answer', id, response: answer } satisfies AnswerEnvelope));
  let data = encode(response);
  const max = nc.info?.max_payload ?? 1024 * 1024;
  if (data.length > max - 1024) {
    log.error({ subject, bytes: data.length }, 'answer too large for the messenger');
    data = encode({ ok: false, error: new PodError('too_large', 'the answer is too large to send; ask for less').toBody() });
  }
  safely(() => nc.publish(subject, data));
}

/** A work-queue message: a JSON array of request envelopes. */
function readRequests(data: Uint8Array): RequestEnvelope[] | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(data)) as unknown;
    return Array.isArray(parsed) ? (parsed as RequestEnvelope[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Acks, naks and publishes on a closed connection throw; the ack wait covers what they miss. */
function safely(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // best effort
  }
}
