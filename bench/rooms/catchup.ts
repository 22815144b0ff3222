/** An offline member catching up: messages stored while it was away, then one connect that replays them all. */
import { callOp, connectNode } from '@pod/sdk/node';
import { pool } from '../im/socket.ts';
import { round } from './report.ts';
import type { Seeded } from './seed.ts';

export interface CatchUp {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** How fast the messages were stored (32 sends at a time). */
  sendRate: number;
}

export async function catchUp(url: string, seeded: Seeded, messages: number): Promise<CatchUp> {
  const sendStart = performance.now();
  await pool(Array.from({ length: messages }, (_, i) => i), 32, (i) => callOp(url, seeded.sender.token, 'rooms.send', { room: 'catchup', text: `catch ${i}` }));
  const sendSeconds = (performance.now() - sendStart) / 1000;
  const start = performance.now();
  const offline = connectNode({ url, token: seeded.offline.token, requestTimeoutMs: 30_000 });
  let got = 0;
  const done = new Promise<void>((resolve) => offline.on('room.message', () => ++got === messages && resolve()));
  try {
    await offline.connect();
    await done;
  } finally {
    offline.close();
  }
  const seconds = (performance.now() - start) / 1000;
  return { messages, seconds: round(seconds), messagesPerSecond: round(messages / seconds), sendRate: round(messages / sendSeconds) };
}
