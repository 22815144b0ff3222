/**
 * A load-generator process (forked by the parent, commands over IPC). It holds raw `ws`
 * connections, sends `im.send` at an offered rate spread over all its users, and, as the
 * receiving side, records the latency from send to the `ev` frame, lost and duplicated
 * messages by message id. Send and receipt times are absolute
 * (performance.timeOrigin + performance.now()), comparable across processes.
 */
import type { Command, ConnectReply, Reply, StepReply, UserSpec } from './ipc.ts';
import { BenchSocket, clock, messageText, parseText, pool, type ResFrame } from './socket.ts';
import { Histogram } from './stats.ts';
import { runSync } from './sync-client.ts';

const SENT = 1;
const DELIVERED = 2;
const FAILED = 3;
const PREFIX = `m${process.pid}-`;
const REQUEST_PREFIX = `r${process.pid}_`;
const PING_MS = 20_000;

interface Held {
  socket: BenchSocket;
  user: UserSpec;
  /** The frame prefix up to the text, built once. */
  framePrefix: string;
}

interface StepState {
  nStart: number;
  sent: number;
  delivered: number;
  duplicates: number;
  failed: number;
  errors: Record<string, number>;
  latency: Histogram;
  reported: boolean;
  late: number;
}

const held: Held[] = [];
const idle: BenchSocket[] = [];
const steps: StepState[] = [];
let state = new Uint8Array(1 << 20);
let nextN = 0;
let window: { t0: number; tEnd: number; received: number[] } | undefined;
let closedSockets = 0;
let seqBase = { gaps: 0, repeats: 0 };

const pinger = setInterval(() => {
  for (const h of held) h.socket.ping();
  for (const s of idle) s.ping();
}, PING_MS);

function stepOf(n: number): StepState | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (n >= steps[i]!.nStart) return steps[i];
  return undefined;
}

function onMessage(h: Held, to: string | undefined, text: string | undefined): void {
  if (to !== h.user.name || text === undefined) return;
  const parsed = parseText(text);
  if (!parsed || !parsed[0].startsWith(PREFIX)) return;
  const now = performance.now();
  const n = Number(parsed[0].slice(PREFIX.length));
  const latencyMs = clock() - parsed[1];
  const step = stepOf(n);
  if (!step) return;
  if (window && now < window.tEnd) window.received[Math.floor((now - window.t0) / 1000)]!++;
  if (state[n] === DELIVERED) {
    step.duplicates++;
    return;
  }
  state[n] = DELIVERED;
  step.delivered++;
  step.latency.record(latencyMs);
  if (step.reported) step.late++;
}

function onRes(frame: ResFrame): void {
  if (frame.ok || !frame.id?.startsWith(REQUEST_PREFIX)) return;
  const n = Number(frame.id.slice(REQUEST_PREFIX.length));
  const step = stepOf(n);
  if (!step) return;
  const code = frame.error?.code ?? 'unknown';
  step.errors[code] = (step.errors[code] ?? 0) + 1;
  if (state[n] === SENT) {
    state[n] = FAILED;
    step.failed++;
  }
}

async function connect(command: Extract<Command, { cmd: 'connect' }>): Promise<ConnectReply> {
  const started = performance.now();
  let failed = 0;
  let firstError: string | undefined;
  await pool(command.users, command.concurrency, async (user) => {
    try {
      const socket = await BenchSocket.open(user.url ?? command.url, user.token);
      const h: Held = { socket, user, framePrefix: `","op":"im.send","body":{"to":${JSON.stringify(user.partner)},"text":"` };
      socket.onEvent = (frame) => {
        if (frame.type === 'im.message') onMessage(h, frame.body.to, frame.body.text);
      };
      socket.onRes = onRes;
      socket.onClose = () => closedSockets++;
      held.push(h);
    } catch (error) {
      failed++;
      firstError ??= `${user.name}: ${(error as Error).message}`;
    }
  });
  return { open: held.length, failed, firstError, ms: performance.now() - started };
}

function grow(n: number): void {
  if (n < state.length) return;
  const bigger = new Uint8Array(state.length * 2);
  bigger.set(state);
  state = bigger;
}

/** Sends at `rate`/s for `seconds` (open loop: the schedule does not wait for answers), then drains. */
async function step(command: Extract<Command, { cmd: 'step' }>): Promise<StepReply> {
  const seconds = Math.ceil(command.seconds);
  const st: StepState = { nStart: nextN, sent: 0, delivered: 0, duplicates: 0, failed: 0, errors: {}, latency: new Histogram(), reported: false, late: 0 };
  const lateBefore = steps.reduce((a, s) => a + s.late, 0);
  steps.push(st);
  const sentPerSecond = new Array<number>(seconds).fill(0);
  const t0 = performance.now();
  const tEnd = t0 + command.seconds * 1000;
  window = { t0, tEnd, received: new Array<number>(seconds).fill(0) };
  let maxLagMs = 0;
  let rr = 0;
  const open = held.filter((h) => !h.socket.closed);
  await new Promise<void>((resolve) => {
    if (open.length === 0 || command.rate <= 0) return setTimeout(resolve, command.seconds * 1000);
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.floor((Math.min(now, tEnd) - t0) * (command.rate / 1000));
      if (st.sent < due) maxLagMs = Math.max(maxLagMs, now - (t0 + (st.sent / command.rate) * 1000));
      while (st.sent < due) {
        const h = open[rr++ % open.length]!;
        const n = nextN++;
        grow(n);
        state[n] = SENT;
        h.socket.send(`{"t":"req","id":"${REQUEST_PREFIX}${n}${h.framePrefix}${messageText(PREFIX + n, clock(), command.textBytes)}"}}`);
        sentPerSecond[Math.min(seconds - 1, Math.floor((performance.now() - t0) / 1000))]!++;
        st.sent++;
      }
      if (now >= tEnd) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const received = window.received;
  window = undefined;
  const drainStart = performance.now();
  while (st.sent - st.delivered - st.failed > 0 && performance.now() - drainStart < command.drainMs) await sleep(10);
  const drainMs = performance.now() - drainStart;
  for (const h of held) h.socket.flushAck();
  st.reported = true;
  const gaps = held.reduce((a, h) => a + h.socket.seqGaps, 0);
  const repeats = held.reduce((a, h) => a + h.socket.seqRepeats, 0);
  const reply: StepReply = {
    sent: st.sent,
    sentPerSecond,
    receivedPerSecond: received,
    delivered: st.delivered,
    duplicates: st.duplicates,
    errors: st.errors,
    seqGaps: gaps - seqBase.gaps,
    seqRepeats: repeats - seqBase.repeats,
    late: steps.reduce((a, s) => a + s.late, 0) - lateBefore,
    latency: st.latency.toJSON(),
    maxLagMs,
    drainMs,
    closedSockets,
  };
  seqBase = { gaps, repeats };
  return reply;
}

async function holdIdle(command: Extract<Command, { cmd: 'idle' }>): Promise<ConnectReply> {
  const started = performance.now();
  let failed = 0;
  let firstError: string | undefined;
  await pool(command.tokens, command.concurrency, async (token) => {
    try {
      idle.push(await BenchSocket.open(command.url, token, { timeoutMs: 60_000 }));
    } catch (error) {
      failed++;
      firstError ??= (error as Error).message;
    }
  });
  return { open: idle.length, failed, firstError, ms: performance.now() - started };
}

async function closeAll(): Promise<{ closed: number }> {
  const all = [...held.map((h) => h.socket), ...idle];
  await pool(all, 500, (s) => s.close());
  held.length = 0;
  idle.length = 0;
  clearInterval(pinger);
  return { closed: all.length };
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'connect':
      return connect(command);
    case 'step':
      return step(command);
    case 'idle':
      return holdIdle(command);
    case 'sync':
      return runSync(command);
    case 'close':
      return closeAll();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

process.on('message', (message: { rid: number; command: Command }) => {
  handle(message.command).then(
    (body) => process.send!({ rid: message.rid, ok: true, body } satisfies Reply),
    (error: unknown) => process.send!({ rid: message.rid, ok: false, error: (error as Error).stack ?? String(error) } satisfies Reply),
  );
});
// The parent went away: nothing left to do here.
process.on('disconnect', () => process.exit(0));
