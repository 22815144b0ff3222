import type { JetStreamClient } from 'nats';
import type { Logger } from 'pino';
import { appSubject } from './nats-queue.ts';

/** Requests in one JetStream message at most. */
const MAX_PER_MESSAGE = 256;

interface Queued {
  json: string;
  bytes: number;
  stored: (ok: boolean) => void;
}

/**
 * Puts requests on their apps' work queues, all the requests for one app that a process makes
 * in one turn of the event loop as one JetStream message (a JSON array of request envelopes,
 * see nats-queue.ts). Each JetStream message costs the server a store, an acknowledgement to
 * the publisher, a delivery, an acknowledgement from the consumer and a deletion: batching
 * pays that once for many requests under load, and changes nothing when requests come alone.
 * There is no duplicate window: the store's request log makes a retried user request take
 * effect once, wherever and however often it arrives.
 */
export class RequestOutbox {
  private readonly queues = new Map<string, Queued[]>();
  private scheduled = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly prefix: string,
    private readonly maxBytes: () => number,
    private readonly log: Logger,
    private readonly isClosed: () => boolean,
    /** How long JetStream may take to confirm it stored a batch. */
    private readonly publishTimeoutMs = 10_000,
  ) {}

  /** Resolves true once JetStream stored the message holding `json`, false if it could not. */
  send(app: string, json: string): Promise<boolean> {
    return new Promise<boolean>((stored) => {
      let queue = this.queues.get(app);
      if (!queue) this.queues.set(app, (queue = []));
      queue.push({ json, bytes: Buffer.byteLength(json), stored });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queues = [...this.queues];
    this.queues.clear();
    for (const [app, queue] of queues) {
      for (const batch of this.split(queue)) void this.publish(app, batch);
    }
  }

  /** Batches that each fit NATS's payload limit (a request alone always fits: request() checks). */
  private split(queue: Queued[]): Queued[][] {
    const limit = this.maxBytes();
    const batches: Queued[][] = [];
    let current: Queued[] = [];
    let bytes = 2;
    for (const item of queue) {
      if (current.length > 0 && (bytes + item.bytes + 1 > limit || current.length >= MAX_PER_MESSAGE)) {
        batches.push(current);
        current = [];
        bytes = 2;
      }
      current.push(item);
      bytes += item.bytes + 1;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  private async publish(app: string, batch: Queued[]): Promise<void> {
    const data = Buffer.from(`[${batch.map((item) => item.json).join(',')}]`);
    let ok = true;
    try {
      await this.js.publish(appSubject(this.prefix, app), data, { timeout: this.publishTimeoutMs });
    } catch (error) {
      ok = false;
      if (!this.isClosed()) this.log.warn({ err: error, app, requests: batch.length }, 'could not queue requests');
    }
    for (const item of batch) item.stored(ok);
  }
}
