import { PodError, type RoomKind } from '@pod/sdk';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { crowdUsers, type CrowdUser } from './helpers/crowd.ts';
import { startTestPod, type TestPod } from './helpers/pod.ts';

/** Where each actor stands in the room before every operation. */
const ACTORS = ['owner', 'admin', 'moderator', 'member', 'invited', 'kicked', 'banned', 'left', 'outsider'] as const;
type Actor = (typeof ACTORS)[number];
type Outcome = 'ok' | 'forbidden' | 'not_found' | 'conflict';

const RANK: Partial<Record<Actor, number>> = { owner: 3, admin: 2, moderator: 1, member: 0 };
const isIn = (actor: Actor) => RANK[actor] !== undefined;
const atLeast = (actor: Actor, rank: number) => (RANK[actor] ?? -1) >= rank;

/** What someone not in the room is told: a public room or one they are invited to exists for them, a private one does not. */
function outside(kind: RoomKind, actor: Actor): Outcome {
  return kind === 'public' || actor === 'invited' ? 'forbidden' : 'not_found';
}

/** A member's right by rank, else what an outsider is told. */
function byRank(kind: RoomKind, actor: Actor, rank: number): Outcome {
  if (!isIn(actor)) return outside(kind, actor);
  return atLeast(actor, rank) ? 'ok' : 'forbidden';
}

interface Fixture {
  users: Record<Actor | 'victim' | 'newcomer', CrowdUser>;
  room: string;
  kind: RoomKind;
  /** A message of the victim's, replaced after a moderator deletes it. */
  victimMessage: string;
}

interface Case {
  op: string;
  expect(kind: RoomKind, actor: Actor): Outcome;
  run(f: Fixture, actor: CrowdUser): Promise<unknown>;
  /** Puts the room back after a successful run. */
  restore?(f: Fixture, actor: Actor): Promise<void>;
}

async function bringBackVictim(f: Fixture): Promise<void> {
  const { owner, victim } = f.users;
  if (f.kind === 'public') await victim.op('rooms.join', { room: f.room });
  else {
    await owner.op('rooms.invite', { room: f.room, user: victim.name });
    await victim.op('rooms.accept', { room: f.room });
  }
}

/** Puts an actor who entered or left back where they stood. */
async function putBack(f: Fixture, actor: Actor): Promise<void> {
  const { owner } = f.users;
  const user = f.users[actor];
  if (actor === 'invited') {
    await user.op('rooms.leave', { room: f.room }).catch(() => {});
    await owner.op('rooms.invite', { room: f.room, user: user.name });
  } else if (actor === 'kicked') {
    await owner.op('rooms.kick', { room: f.room, user: user.name });
  } else if (isIn(actor)) {
    if (f.kind === 'public') await user.op('rooms.join', { room: f.room });
    else {
      await owner.op('rooms.invite', { room: f.room, user: user.name });
      await user.op('rooms.accept', { room: f.room });
    }
    if (actor !== 'member') await owner.op('rooms.role', { room: f.room, user: user.name, role: actor as 'admin' | 'moderator' });
  } else {
    await user.op('rooms.leave', { room: f.room });
  }
}

const cases: Case[] = [
  { op: 'rooms.history', expect: (k, a) => byRank(k, a, 0), run: (f, u) => u.op('rooms.history', { room: f.room }) },
  { op: 'rooms.members', expect: (k, a) => byRank(k, a, 0), run: (f, u) => u.op('rooms.members', { room: f.room }) },
  { op: 'rooms.send', expect: (k, a) => byRank(k, a, 0), run: (f, u) => u.op('rooms.send', { room: f.room, text: 'hi' }) },
  { op: 'rooms.typing', expect: (k, a) => byRank(k, a, 0), run: (f, u) => u.op('rooms.typing', { room: f.room }) },
  { op: 'rooms.read', expect: (k, a) => byRank(k, a, 0), run: (f, u) => u.op('rooms.read', { room: f.room, order: 1 }) },
  // A message is not found by anyone outside its room, public or not.
  { op: 'rooms.react', expect: (_k, a) => (isIn(a) ? 'ok' : 'not_found'), run: (f, u) => u.op('rooms.react', { id: f.victimMessage, emoji: '👀' }) },
  { op: 'rooms.edit (another\'s)', expect: (_k, a) => (isIn(a) ? 'forbidden' : 'not_found'), run: (f, u) => u.op('rooms.edit', { id: f.victimMessage, text: 'changed' }) },
  { op: 'rooms.edits', expect: (_k, a) => (isIn(a) ? (atLeast(a, 1) ? 'ok' : 'forbidden') : 'not_found'), run: (f, u) => u.op('rooms.edits', { id: f.victimMessage }) },
  {
    op: 'rooms.delete (another\'s)',
    expect: (_k, a) => (isIn(a) ? (atLeast(a, 1) ? 'ok' : 'forbidden') : 'not_found'),
    run: (f, u) => u.op('rooms.delete', { id: f.victimMessage }),
    restore: async (f) => {
      f.victimMessage = (await f.users.victim.op('rooms.send', { room: f.room, text: 'again' })).id;
    },
  },
  { op: 'rooms.invite', expect: (k, a) => byRank(k, a, k === 'public' ? 0 : 1), run: (f, u) => u.op('rooms.invite', { room: f.room, user: f.users.newcomer.name }) },
  { op: 'rooms.kick', expect: (k, a) => byRank(k, a, 1), run: (f, u) => u.op('rooms.kick', { room: f.room, user: f.users.victim.name }), restore: (f) => bringBackVictim(f) },
  {
    op: 'rooms.ban',
    expect: (k, a) => byRank(k, a, 1),
    run: (f, u) => u.op('rooms.ban', { room: f.room, user: f.users.victim.name }),
    restore: async (f) => {
      await f.users.owner.op('rooms.unban', { room: f.room, user: f.users.victim.name });
      await bringBackVictim(f);
    },
  },
  {
    op: 'rooms.mute',
    expect: (k, a) => byRank(k, a, 1),
    run: (f, u) => u.op('rooms.mute', { room: f.room, user: f.users.victim.name }),
    restore: async (f) => void (await f.users.owner.op('rooms.unmute', { room: f.room, user: f.users.victim.name })),
  },
  {
    op: 'rooms.role',
    expect: (k, a) => byRank(k, a, 2),
    run: (f, u) => u.op('rooms.role', { room: f.room, user: f.users.victim.name, role: 'moderator' }),
    restore: async (f) => void (await f.users.owner.op('rooms.role', { room: f.room, user: f.users.victim.name, role: 'member' })),
  },
  { op: 'rooms.update (topic)', expect: (k, a) => byRank(k, a, 2), run: (f, u) => u.op('rooms.update', { room: f.room, topic: 'changed' }) },
  { op: 'rooms.update (retention)', expect: (k, a) => byRank(k, a, 3), run: (f, u) => u.op('rooms.update', { room: f.room, retentionDays: 30 }) },
  {
    op: 'rooms.join',
    expect: (k, a) => {
      if (isIn(a)) return 'conflict';
      if (a === 'invited') return 'ok';
      if (k === 'private') return 'not_found';
      return a === 'banned' ? 'forbidden' : 'ok';
    },
    run: (f, u) => u.op('rooms.join', { room: f.room }),
    restore: putBack,
  },
  {
    op: 'rooms.leave',
    expect: (k, a) => (a === 'owner' ? 'conflict' : byRank(k, a, 0)),
    run: (f, u) => u.op('rooms.leave', { room: f.room }),
    restore: putBack,
  },
  {
    op: 'rooms.accept',
    expect: (k, a) => (a === 'invited' ? 'ok' : isIn(a) ? 'conflict' : 'not_found'),
    run: (f, u) => u.op('rooms.accept', { room: f.room }),
    restore: putBack,
  },
  {
    op: 'rooms.decline',
    expect: (_k, a) => (a === 'invited' ? 'ok' : 'not_found'),
    run: (f, u) => u.op('rooms.decline', { room: f.room }),
    restore: async (f, a) => void (await f.users.owner.op('rooms.invite', { room: f.room, user: f.users[a].name })),
  },
];

async function outcome(promise: Promise<unknown>): Promise<Outcome | string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof PodError) return error.code;
    throw error;
  }
}

/** Runs every case as every actor; answers the outcomes that differ from the expected ones. */
async function runMatrix(f: Fixture): Promise<string[]> {
  const wrong: string[] = [];
  for (const c of cases) {
    for (const actor of ACTORS) {
      const expected = c.expect(f.kind, actor);
      const got = await outcome(c.run(f, f.users[actor]));
      if (got !== expected) wrong.push(`${f.kind} ${c.op} as ${actor}: expected ${expected}, got ${got}`);
      if (got === 'ok' && c.restore) await c.restore(f, actor);
    }
  }
  return wrong;
}

describe('rooms: the authorization matrix', () => {
  let pod: TestPod;
  const fixtures = new Map<RoomKind, Fixture>();
  before(async () => {
    pod = await startTestPod();
    const template = await pod.user('template');
    for (const kind of ['public', 'private'] as const) {
      const prefix = kind === 'public' ? 'pu' : 'pr';
      const roles = [...ACTORS, 'victim', 'newcomer'] as const;
      const made = await crowdUsers(pod, roles.map((role) => `${prefix}-${role}`), template);
      const users = Object.fromEntries(roles.map((role, i) => [role, made[i]!])) as Fixture['users'];
      const room = `${kind}-matrix`;
      await users.owner.op('rooms.create', { name: room, kind });
      const enter = async (user: CrowdUser) => {
        if (kind === 'private') await users.owner.op('rooms.invite', { room, user: user.name });
        await user.op(kind === 'private' ? 'rooms.accept' : 'rooms.join', { room });
      };
      for (const actor of ['admin', 'moderator', 'member', 'kicked', 'left', 'banned', 'victim'] as const) await enter(users[actor]);
      await users.owner.op('rooms.role', { room, user: users.admin.name, role: 'admin' });
      await users.owner.op('rooms.role', { room, user: users.moderator.name, role: 'moderator' });
      await users.owner.op('rooms.invite', { room, user: users.invited.name });
      await users.owner.op('rooms.kick', { room, user: users.kicked.name });
      await users.owner.op('rooms.ban', { room, user: users.banned.name, reason: 'testing' });
      await users.left.op('rooms.leave', { room });
      const victimMessage = (await users.victim.op('rooms.send', { room, text: 'a message of mine' })).id;
      fixtures.set(kind, { users, room, kind, victimMessage });
    }
  });
  after(() => pod.close());

  it('tells nobody of what they may not see, and never delivers a room message to someone outside it', async () => {
    for (const f of fixtures.values()) {
      const sent = await f.users.owner.op('rooms.send', { room: f.room, text: 'members only' });
      for (const actor of ['invited', 'kicked', 'banned', 'left', 'outsider'] as const) {
        const response = await fetch(`${pod.url}/v1/mailbox?after=0&limit=1000`, { headers: { authorization: `Bearer ${f.users[actor].token}` } });
        const { events } = (await response.json()) as { events: Array<{ type: string; body: { id?: string } }> };
        assert.ok(!events.some((e) => e.type === 'room.message' && e.body.id === sent.id), `${f.kind} ${actor} got a room message`);
      }
      const directory = await f.users.outsider.op('rooms.directory', {});
      assert.equal(directory.rooms.some((r) => r.name === f.room), f.kind === 'public');
    }
  });

  it('answers every operation in a public and a private room as each role and state allows, and nothing else changes', async () => {
    // The two rooms share nobody, so they are checked side by side.
    const wrong = (await Promise.all([...fixtures.values()].map(runMatrix))).flat();
    assert.deepEqual(wrong, []);
    for (const f of fixtures.values()) {
      // The matrix left the room as it found it: the same people in the same places.
      const { members, banned } = await f.users.owner.op('rooms.members', { room: f.room });
      assert.deepEqual(members.map((m) => `${m.name.slice(3)}:${m.role}`).sort(), ['admin:admin', 'member:member', 'moderator:moderator', 'owner:owner', 'victim:member']);
      assert.deepEqual(banned?.map((b) => b.name.slice(3)), ['banned']);
    }
  });
});
