/**
 * The rooms benchmark's setup, straight through the store (SQLite or PostgreSQL): accounts
 * with sessions, rooms and memberships in bulk (signing in a thousand accounts costs a
 * thousand argon2 hashes), and a million stored messages for search. Sessions are stored as
 * the directory stores them: only the SHA-256 of the token.
 */
import { openStore } from '@pod/server';
import { sql, type Kysely } from 'kysely';
import { createHash, randomBytes } from 'node:crypto';
import { retrySchemaRace } from '../im/users.ts';

type Db = Kysely<any>;

export interface Member {
  id: number;
  name: string;
  token: string;
}

export interface Seeded {
  /** The big room's members. */
  members: Member[];
  /** The catch-up room's two members. */
  sender: Member;
  offline: Member;
  /** The only member of the room holding the searched messages. */
  searcher: Member;
}

/** The three rooms: 'bench' (the fan-out), 'catchup' and 'archive' (search). */
export function seedBench(databaseUrl: string, sizes: { members: number; searchMessages: number }, log: (text: string) => void): Promise<Seeded> {
  return withStore(databaseUrl, async (db) => {
    const members = await createMembers(db, 'm', sizes.members);
    await createRoom(db, 'bench', members);
    const [sender, offline, searcher] = await createMembers(db, 'x', 3);
    await createRoom(db, 'catchup', [sender!, offline!]);
    const archive = await createRoom(db, 'archive', [searcher!]);
    const t = performance.now();
    await seedMessages(db, archive, searcher!, sizes.searchMessages, (done) => process.stderr.write(`\r  stored ${done} messages for search`));
    log(` (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    return { members, sender: sender!, offline: offline!, searcher: searcher! };
  });
}

/** The store at `databaseUrl`, migrated, for `fn`; closed after. */
async function withStore<T>(databaseUrl: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const store = await retrySchemaRace(() => openStore(databaseUrl));
  try {
    return await fn(store.db as unknown as Db);
  } finally {
    await store.close();
  }
}

/** Accounts (sharing one unusable password hash) with a session each. */
async function createMembers(db: Db, prefix: string, count: number): Promise<Member[]> {
  const now = new Date().toISOString();
  const members: Member[] = [];
  for (let start = 0; start < count; start += 500) {
    const names = Array.from({ length: Math.min(500, count - start) }, (_, i) => `${prefix}${String(start + i).padStart(6, '0')}`);
    const users = await db
      .insertInto('users')
      .values(names.map((name) => ({ name, password_hash: '!', admin: 0, disabled: 0, display_name: name, status_text: '', about: '', messages_from: 'buddies', created_at: now })))
      .returning(['id', 'name'])
      .execute();
    const tokens = users.map(() => `pod_${randomBytes(32).toString('base64url')}`);
    await db
      .insertInto('sessions')
      .values(users.map((u: { id: number }, i: number) => ({ id: randomBytes(9).toString('base64url'), user_id: u.id, token_hash: createHash('sha256').update(tokens[i]!).digest('hex'), device: 'bench', created_at: now, last_seen_at: now, revoked_at: null })))
      .execute();
    users.forEach((u: { id: number; name: string }, i: number) => members.push({ id: Number(u.id), name: u.name, token: tokens[i]! }));
  }
  return members;
}

/** A public room with these members (the first one its owner). */
async function createRoom(db: Db, name: string, members: readonly Member[]): Promise<number> {
  const now = new Date().toISOString();
  const room = await db.insertInto('rooms').values({ name, topic: '', kind: 'public', history: 'all', retention_days: 0, created_by: members[0]!.name, created_at: now }).returning('id').executeTakeFirstOrThrow();
  const roomId = Number(room.id);
  for (let start = 0; start < members.length; start += 500) {
    await db
      .insertInto('room_members')
      .values(
        members.slice(start, start + 500).map((m, i) => ({
          room_id: roomId,
          user_id: m.id,
          user_name: m.name,
          role: start + i === 0 ? 'owner' : 'member',
          state: 'joined',
          muted: 0,
          since_ord: 0,
          read_ord: 0,
          joined_at: now,
          changed_by: m.name,
          reason: '',
          changed_at: now,
        })),
      )
      .execute();
  }
  return roomId;
}

const WORDS = 'apple river stone cloud maple harbor lantern velvet copper meadow falcon ember willow quartz orchid thunder pebble saffron glacier compass'.split(' ');

/** Text of seeded messages: a few common words and one rarer numbered word, so queries hit a range of result sizes. */
function seededText(i: number): string {
  return `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${WORDS[(i * 13) % WORDS.length]} note${i % 5000}`;
}

export const SEARCH_QUERIES = [...WORDS.slice(0, 10), ...Array.from({ length: 10 }, (_, i) => `note${i * 97}`), 'apple river', 'stone note42'];

/** `count` messages in a room, inserted in large set-wise statements (the search index follows them). */
async function seedMessages(db: Db, roomId: number, sender: Member, count: number, progress: (done: number) => void): Promise<void> {
  const at = new Date(Date.now() - 86_400_000).toISOString();
  const batch = 2000;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    await db
      .insertInto('room_messages')
      .values(Array.from({ length: n }, (_, i) => ({ id: `seed-${start + i}`, room_id: roomId, sender_id: sender.id, sender_name: sender.name, text: seededText(start + i), at, reply_to: null, mentions: '[]' })))
      .execute();
    if ((start / batch) % 25 === 0) progress(start + n);
  }
  progress(count);
  // Fresh planner statistics, as a running pod's autovacuum would have by then.
  if ((db.getExecutor().adapter.constructor.name ?? '').startsWith('Postgres')) await sql`analyze room_messages`.execute(db);
}
