import { callOp, type ClientOpName, type OpInput, type OpOutput } from '@pod/sdk/node';
import type { Kysely } from 'kysely';
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../src/store/schema.ts';
import type { TestPod, TestUser } from './pod.ts';

/** An account made in bulk, signed in with a session of its own. */
export interface CrowdUser {
  name: string;
  token: string;
  op<N extends ClientOpName>(op: N, body: OpInput<N>): Promise<OpOutput<N>>;
}

/**
 * Makes `names` accounts at once, straight in the store, each with a session: argon2 makes
 * creating and signing in accounts one by one cost seconds per dozen, which would time the
 * setup rather than what a test is about. Each copies `like`'s password (its stored hash), so
 * any of them can also sign in normally. Sessions are stored as the directory stores them:
 * only the SHA-256 of the token.
 */
export async function crowdUsers(pod: TestPod, names: readonly string[], like: TestUser): Promise<CrowdUser[]> {
  const db = pod.pod.store.db as unknown as Kysely<Database>;
  const now = new Date().toISOString();
  const { password_hash } = await db.selectFrom('users').select('password_hash').where('name', '=', like.name).executeTakeFirstOrThrow();
  const users = await db
    .insertInto('users')
    .values(names.map((name) => ({ name, password_hash, admin: 0, disabled: 0, display_name: name, status_text: '', about: '', messages_from: 'buddies', created_at: now })))
    .returning(['id', 'name'])
    .execute();
  const tokens = users.map(() => `pod_${randomBytes(32).toString('base64url')}`);
  await db
    .insertInto('sessions')
    .values(users.map((user, i) => ({ id: randomBytes(9).toString('base64url'), user_id: user.id, token_hash: createHash('sha256').update(tokens[i]!).digest('hex'), device: 'crowd', created_at: now, last_seen_at: now, revoked_at: null })))
    .execute();
  return users.map((user, i) => ({ name: user.name, token: tokens[i]!, op: (op, body) => callOp(pod.url, tokens[i]!, op, body) }));
}

/** Makes accounts joined members of a room at once, straight in the store (no join events). */
export async function seatAll(pod: TestPod, room: string, names: readonly string[]): Promise<void> {
  const db = pod.pod.store.db as unknown as Kysely<Database>;
  const now = new Date().toISOString();
  const { id: roomId } = await db.selectFrom('rooms').select('id').where('name', '=', room).executeTakeFirstOrThrow();
  const users = await db.selectFrom('users').select(['id', 'name']).where('name', 'in', [...names]).execute();
  await db
    .insertInto('room_members')
    .values(users.map((user) => ({ room_id: roomId, user_id: user.id, user_name: user.name, role: 'member', state: 'joined', muted: 0, since_ord: 0, read_ord: 0, joined_at: now, changed_by: user.name, reason: '', changed_at: now })))
    .execute();
}
