/**
 * The fan-out measurement, the same for Pod and the baseline router: members connected
 * through the SDK, messages sent over HTTP at an offered rate, each timed from its send to
 * its arrival at every connected member, all in this process and on one clock.
 */
import { callOp, connectNode, type PodClient, type RoomMessage } from '@pod/sdk/node';
import { Histogram, summarize } from '../im/stats.ts';
import { sleep } from '../im/processes.ts';
import { pool } from '../im/socket.ts';
import { round } from './report.ts';

/** Where the messages go: the servers (gateways) and the senders' tokens. */
export interface FanOutTarget {
  urls: string[];
  senders: string[];
}

export interface Step {
  offered: number;
  acceptedPerSecond: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  /** Deliveries missing 15 s after the last send. */
  missing: number;
}

/** How long after the last send the deliveries still missing are waited for. */
const DRAIN_MS = 15_000;

/** The connected members; each message's arrival times, by its text. */
export class Listeners {
  private readonly receipts = new Map<string, number[]>();
  private constructor(private readonly clients: PodClient[]) {}

  /** Connects one client per token, token i to urls[i mod urls.length], 20 at a time. */
  static async connect(urls: string[], tokens: string[]): Promise<Listeners> {
    const listeners = new Listeners([]);
    await pool(tokens, 20, async (token, i) => {
      const client = connectNode({ url: urls[i % urls.length]!, token, requestTimeoutMs: 30_000 });
      client.on('room.message', (event) => listeners.receive((event.body as RoomMessage).text));
      listeners.clients.push(client);
      await client.connect();
    });
    return listeners;
  }

  get count(): number {
    return this.clients.length;
  }

  private receive(text: string): void {
    const list = this.receipts.get(text);
    if (list) list.push(performance.now());
    else this.receipts.set(text, [performance.now()]);
  }

  /** The arrival times of a message, forgotten once taken. */
  take(text: string): number[] {
    const times = this.receipts.get(text) ?? [];
    this.receipts.delete(text);
    return times;
  }

  arrived(text: string): number {
    return this.receipts.get(text)?.length ?? 0;
  }

  close(): void {
    for (const client of this.clients.splice(0)) client.close();
  }
}

let stepNumber = 0;

/** Sends to `room` at `rate` per second for `seconds`, sender i over urls[i mod urls.length]; times every delivery. */
export async function step(target: FanOutTarget, room: string, rate: number, seconds: number, listeners: Listeners): Promise<Step> {
  const tag = `s${++stepNumber}`;
  const started = new Map<string, number>();
  const answers: Array<Promise<unknown>> = [];
  let failed = 0;
  const t0 = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const text = `${tag}-${i}`;
    const sender = i % target.senders.length;
    started.set(text, performance.now());
    answers.push(callOp(target.urls[sender % target.urls.length]!, target.senders[sender]!, 'rooms.send', { room, text }).catch(() => failed++));
  }
  await Promise.all(answers);
  const sendSeconds = (performance.now() - t0) / 1000;
  const deadline = performance.now() + DRAIN_MS;
  while (performance.now() < deadline && [...started.keys()].some((text) => listeners.arrived(text) < listeners.count)) await sleep(50);
  const latencies = new Histogram();
  let last = t0;
  for (const [text, at] of started) {
    for (const received of listeners.take(text)) {
      latencies.record(received - at);
      last = Math.max(last, received);
    }
  }
  const { p50, p99 } = summarize(latencies.toJSON());
  return {
    offered: rate,
    acceptedPerSecond: round((total - failed) / sendSeconds),
    deliveriesPerSecond: round(latencies.count / ((last - t0) / 1000)),
    p50Ms: round(p50 ?? NaN),
    p99Ms: round(p99 ?? NaN),
    failed,
    missing: (total - failed) * listeners.count - latencies.count,
  };
}
