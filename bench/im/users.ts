/**
 * The benchmark's users: created offline with `createUserOffline` (argon2 is slow, so hashed
 * a few at a time per core), signed in over HTTP, and paired as buddies through the directory
 * ops (or, where buddies are not there yet, opened to messages from anyone).
 */
import { PodError } from '@pod/protocol';
import { callOp, login } from '@pod/sdk/node';
import { createUserOffline, openStore } from '@pod/server';
import { availableParallelism } from 'node:os';
import type { UserSpec } from './ipc.ts';
import { pool } from './socket.ts';

export interface BenchUser {
  index: number;
  name: string;
  password: string;
  token: string;
}

export const userName = (i: number) => `u${String(i).padStart(5, '0')}`;
const passwordOf = (i: number) => `bench-password-${i}`;

export async function createUsers(databaseUrl: string, count: number, progress: (done: number) => void): Promise<void> {
  const store = await retrySchemaRace(() => openStore(databaseUrl));
  try {
    let done = 0;
    const indexes = Array.from({ length: count }, (_, i) => i);
    await pool(indexes, 2 * availableParallelism(), async (i) => {
      await createUserOffline(store, { name: userName(i), password: passwordOf(i), admin: false });
      if (++done % 100 === 0 || done === count) progress(done);
    });
  } finally {
    await store.close();
  }
}

/**
 * On a PostgreSQL database shared with others, each openStore's migration check lists the
 * tables of every schema (Kysely's introspector), and fails with 3F000 "schema ... does not
 * exist" when another schema is dropped meanwhile. Such a failure changed nothing: try again.
 */
export async function retrySchemaRace<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if ((error as { code?: string }).code !== '3F000' || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

export async function loginAll(url: string, count: number, progress: (done: number) => void): Promise<BenchUser[]> {
  let done = 0;
  const indexes = Array.from({ length: count }, (_, i) => i);
  return pool(indexes, 2 * availableParallelism(), async (i) => {
    const { token } = await login(url, userName(i), passwordOf(i), 'bench');
    if (++done % 100 === 0 || done === count) progress(done);
    return { index: i, name: userName(i), password: passwordOf(i), token };
  });
}

/** Throughput pairs: 0-1, 2-3, ...; an odd last user talks to user 0. */
export function partnerOf(i: number, count: number): number {
  if (i % 2 === 0) return i + 1 < count ? i + 1 : 0;
  return i - 1;
}

/**
 * Makes every throughput pair buddies, plus the sync target (user 0) with the sync senders.
 * Answers how: 'buddies', or 'anyone' when the directory has no buddies.add yet.
 */
export async function pairUsers(url: string, users: BenchUser[], extra: Array<[number, number]>): Promise<'buddies' | 'anyone'> {
  const edges: Array<[number, number]> = [];
  for (let i = 0; i + 1 < users.length; i += 2) edges.push([i, i + 1]);
  if (users.length % 2 === 1 && users.length > 1) edges.push([users.length - 1, 0]);
  edges.push(...extra);
  const first = edges[0];
  if (!first) return 'buddies';
  try {
    await befriend(url, users[first[0]]!, users[first[1]]!);
  } catch (error) {
    if (!(error instanceof PodError) || error.code !== 'not_found' || !/unknown operation/.test(error.message)) throw error;
    await pool(users, 16, (u) => callOp(url, u.token, 'settings.update', { messagesFrom: 'anyone' }));
    return 'anyone';
  }
  await pool(edges.slice(1), 16, ([a, b]) => befriend(url, users[a]!, users[b]!));
  return 'buddies';
}

async function befriend(url: string, a: BenchUser, b: BenchUser): Promise<void> {
  await callOp(url, a.token, 'buddies.add', { name: b.name });
  await callOp(url, b.token, 'buddies.accept', { name: a.name });
}

/** Users as a generator holds them; `tokens: false` gives the baseline's names-as-tokens. */
export function specs(users: BenchUser[], withTokens: boolean): UserSpec[] {
  return users.map((u) => ({ name: u.name, token: withTokens ? u.token : u.name, partner: userName(partnerOf(u.index, users.length)) }));
}
