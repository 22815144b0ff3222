/**
 * The offline-recipient case, run inside a generator process: the target connects once to
 * learn its seq and leaves; senders store K messages for it; the target reconnects with
 * `after` = its last seq and must receive all K, in seq order, with no gap or duplicate.
 */
import type { Command, SyncReply } from './ipc.ts';
import { BenchSocket, clock, messageText, parseText, pool } from './socket.ts';

const PREFIX = `s${process.pid}-`;

export async function runSync(command: Extract<Command, { cmd: 'sync' }>): Promise<SyncReply> {
  const { url, target, messages, timeoutMs } = command;
  const first = await BenchSocket.open(url, target.token);
  const afterSeq = first.lastSeq;
  await first.close();

  const senders = await pool(command.senders, 8, (user) => BenchSocket.open(url, user.token));
  const sendErrors: Record<string, number> = {};
  let next = 0;
  let answered = 0;
  const sendStart = performance.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${answered} of ${messages} sends answered within ${timeoutMs} ms`)), timeoutMs);
    const inFlight = new Map<BenchSocket, number>();
    const pump = (socket: BenchSocket) => {
      while ((inFlight.get(socket) ?? 0) < command.window && next < messages) {
        const n = next++;
        inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
        socket.send(`{"t":"req","id":"q${process.pid}_${n}","op":"im.send","body":{"to":${JSON.stringify(target.name)},"text":"${messageText(PREFIX + n, clock(), command.textBytes)}"}}`);
      }
    };
    for (const socket of senders) {
      socket.onRes = (frame) => {
        answered++;
        inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1);
        if (!frame.ok) sendErrors[frame.error?.code ?? 'unknown'] = (sendErrors[frame.error?.code ?? 'unknown'] ?? 0) + 1;
        if (answered === messages) {
          clearTimeout(timer);
          resolve();
        } else pump(socket);
      };
      pump(socket);
    }
  });
  const sendMs = performance.now() - sendStart;
  // Refused sends store nothing: wait only for the ones the server accepted.
  const expected = messages - Object.values(sendErrors).reduce((a, b) => a + b, 0);
  await pool(senders, 8, (s) => s.close());

  const seen = new Uint8Array(messages);
  let received = 0;
  let distinct = 0;
  let duplicates = 0;
  let msToWelcome = 0;
  let msToAll: number | null = null;
  let msToSynced: number | null = null;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const start = performance.now();
  const socket = await BenchSocket.open(url, target.token, {
    after: afterSeq,
    timeoutMs,
    onWelcome: (s) => {
      msToWelcome = performance.now() - start;
      s.onEvent = (frame) => {
        if (frame.type !== 'im.message' || frame.body.to !== target.name || !frame.body.text) return;
        const parsed = parseText(frame.body.text);
        if (!parsed || !parsed[0].startsWith(PREFIX)) return;
        received++;
        const n = Number(parsed[0].slice(PREFIX.length));
        if (seen[n]) duplicates++;
        else {
          seen[n] = 1;
          if (++distinct === expected) {
            msToAll = performance.now() - start;
            resolveAll();
          }
        }
      };
    },
  });
  msToSynced = performance.now() - start;
  let timedOut = false;
  if (distinct < expected) await Promise.race([all, new Promise<void>((resolve) => setTimeout(() => ((timedOut = distinct < expected), resolve()), timeoutMs))]);
  const reply: SyncReply = {
    messages,
    sendMs,
    sendErrors,
    afterSeq,
    welcomeHead: socket.head,
    welcomeFrom: socket.from,
    received,
    distinct,
    duplicates,
    outOfOrder: socket.seqGaps + socket.seqRepeats,
    missing: messages - distinct,
    msToWelcome,
    msToSynced,
    msToAll,
    eventsPerSecond: msToAll ? (distinct / msToAll) * 1000 : null,
    timedOut,
  };
  await socket.close();
  return reply;
}
