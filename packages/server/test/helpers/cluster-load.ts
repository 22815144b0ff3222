import { PodError, type PodClient } from '@pod/sdk/node';
import { randomUUID } from 'node:crypto';
import type { SentMessage } from './delivery-checker.ts';

/** Answers that mean "not now": the sender tries again with the same request id. */
const RETRYABLE = new Set(['unavailable', 'rate_limited', 'internal']);
const RETRY_PAUSE_MS = 200;

export interface Sender {
  name: string;
  client: PodClient;
}

export interface LoadOptions {
  senders: Sender[];
  /** Whom sender `index` writes its `n`th message to. */
  recipient(index: number, n: number): string;
  perSender: number;
  /** Sends each sender keeps unanswered at once (a gateway allows 64 per socket). */
  concurrency: number;
  /** A send still unanswered this long after its first attempt fails the load (a hang, not a slow machine). */
  giveUpMs?: number;
}

export interface Load {
  sent: SentMessage[];
  answered(): number;
  /** Failed attempts by error code: what the clients saw while a service was down. */
  errors: Map<string, number>;
  /** Resolves once `count` sends have been answered, or the load is over. */
  reached(count: number): Promise<void>;
  finished: Promise<void>;
}

/**
 * Many senders at once, each message with its own request id and a text that names it. A send
 * the SDK gives up on (after its own retries under the same id) or that is refused for a
 * passing reason is sent again under the same id until it is answered, as a careful
 * application does; the store must then hold it exactly once.
 */
export function startLoad(options: LoadOptions): Load {
  const sent: SentMessage[] = [];
  const errors = new Map<string, number>();
  let waiters: Array<{ count: number; resolve(): void }> = [];
  let answered = 0;
  let over = false;
  const giveUpMs = options.giveUpMs ?? 120_000;
  const wake = () => {
    const due = waiters.filter((waiter) => over || answered >= waiter.count);
    waiters = waiters.filter((waiter) => !due.includes(waiter));
    for (const waiter of due) waiter.resolve();
  };

  const sendUntilAnswered = async (client: PodClient, message: SentMessage): Promise<void> => {
    const giveUpAt = Date.now() + giveUpMs;
    for (;;) {
      try {
        const answer = await client.request('im.send', { to: message.to, text: message.text }, { id: message.requestId });
        message.messageId = answer.id;
        answered++;
        wake();
        return;
      } catch (error) {
        const code = error instanceof PodError ? error.code : 'thrown';
        errors.set(code, (errors.get(code) ?? 0) + 1);
        // A closed client (the test ending) answers `unavailable` at once, forever.
        if (!RETRYABLE.has(code) || over || client.state === 'closed') throw error;
        if (Date.now() > giveUpAt) throw new Error(`request ${message.requestId} still unanswered after ${giveUpMs} ms; last error ${code}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * (0.5 + Math.random())));
      }
    }
  };

  const runSender = async (sender: Sender, index: number): Promise<void> => {
    let next = 0;
    const worker = async () => {
      while (next < options.perSender && !over) {
        const n = next++;
        const requestId = randomUUID();
        const to = options.recipient(index, n);
        const message: SentMessage = { requestId, from: sender.name, to, text: `${sender.name} #${n} to ${to} (${requestId})` };
        sent.push(message);
        await sendUntilAnswered(sender.client, message);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  };

  const finished = Promise.all(options.senders.map(runSender)).then(() => {});
  // A failed load is reported by whoever awaits `finished`; the other senders stop, and the
  // waiters must not hang on it.
  finished.catch(() => {}).finally(() => {
    over = true;
    wake();
  });
  return {
    sent,
    answered: () => answered,
    errors,
    reached(count) {
      if (answered >= count || over) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    finished,
  };
}

/** Error counts as `code=n`, for the test's log line. */
export function formatErrors(errors: Map<string, number>): string {
  return errors.size === 0 ? 'none' : [...errors].map(([code, count]) => `${code}=${count}`).join(' ');
}
