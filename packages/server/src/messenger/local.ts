import { PodError } from '@pod/protocol';
import type { AppRequest, AppResponse, Consumer, Delivery, Messenger, RequestHandler } from './messenger.ts';

/**
 * The in-process messenger of the embedded profile. Everything it carries is round-tripped
 * through JSON so that it behaves exactly as the NATS messenger does.
 */
export class LocalMessenger implements Messenger {
  private readonly handlers = new Map<string, RequestHandler[]>();
  private readonly nextHandler = new Map<string, number>();
  private readonly subscribers = new Map<number, Set<(delivery: Delivery) => void>>();
  private readonly topics = new Map<string, Set<(payload: unknown) => void>>();
  private closed = false;

  async request(app: string, request: AppRequest, timeoutMs = 30_000): Promise<AppResponse> {
    const handler = this.pickHandler(app);
    if (!handler) return unavailable(app);
    const copy = JSON.parse(JSON.stringify(request)) as AppRequest;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<AppResponse>((resolve) => {
      timer = setTimeout(() => resolve(unavailable(app)), timeoutMs);
    });
    try {
      const response = await Promise.race([handler(copy), timeout]);
      return JSON.parse(JSON.stringify(response)) as AppResponse;
    } finally {
      clearTimeout(timer);
    }
  }

  async consume(app: string, handler: RequestHandler): Promise<Consumer> {
    const list = this.handlers.get(app) ?? [];
    list.push(handler);
    this.handlers.set(app, list);
    return {
      stop: async () => {
        const current = this.handlers.get(app) ?? [];
        this.handlers.set(app, current.filter((h) => h !== handler));
      },
    };
  }

  publish(userId: number, delivery: Delivery): void {
    const subscribers = this.subscribers.get(userId);
    if (!subscribers || this.closed) return;
    const json = JSON.stringify(delivery);
    for (const subscriber of subscribers) subscriber(JSON.parse(json) as Delivery);
  }

  subscribe(userId: number, onDelivery: (delivery: Delivery) => void): () => void {
    let set = this.subscribers.get(userId);
    if (!set) {
      set = new Set();
      this.subscribers.set(userId, set);
    }
    set.add(onDelivery);
    return () => {
      const current = this.subscribers.get(userId);
      if (!current) return;
      current.delete(onDelivery);
      if (current.size === 0) this.subscribers.delete(userId);
    };
  }

  broadcast(topic: string, payload: unknown): void {
    const listeners = this.topics.get(topic);
    if (!listeners || this.closed) return;
    const json = JSON.stringify(payload ?? null);
    for (const listener of listeners) listener(JSON.parse(json));
  }

  onBroadcast(topic: string, listener: (payload: unknown) => void): () => void {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.topics.clear();
    this.handlers.clear();
    this.subscribers.clear();
  }

  private pickHandler(app: string): RequestHandler | undefined {
    const list = this.handlers.get(app);
    if (!list || list.length === 0) return undefined;
    const index = (this.nextHandler.get(app) ?? 0) % list.length;
    this.nextHandler.set(app, index + 1);
    return list[index];
  }
}

function unavailable(app: string): AppResponse {
  return { ok: false, error: new PodError('unavailable', `the ${app} service is not answering; retry with the same request id`).toBody() };
}
