import type { MyRoom, Room, RoomHistory, RoomInvitation, RoomKind, RoomRole } from '@pod/protocol';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { RoomsTables } from '../../store/schema.ts';

export type Db = Kysely<RoomsTables> | Transaction<RoomsTables>;
export type Tx = Transaction<RoomsTables>;
export type RoomRow = Selectable<RoomsTables['rooms']>;
export type MemberRow = Selectable<RoomsTables['room_members']>;
export type MemberState = 'joined' | 'invited' | 'left' | 'kicked' | 'banned';

export function toRoom(row: RoomRow, members: number): Room {
  return {
    name: row.name,
    topic: row.topic,
    kind: row.kind as RoomKind,
    history: row.history as RoomHistory,
    retentionDays: Number(row.retention_days) || null,
    members,
    createdAt: row.created_at,
  };
}

export function toMyRoom(row: RoomRow, members: number, me: MemberRow, unread: number): MyRoom {
  return { ...toRoom(row, members), role: me.role as RoomRole, muted: Number(me.muted) === 1, readOrder: Number(me.read_ord), unread };
}

export async function findRoom(db: Db, name: string): Promise<RoomRow | undefined> {
  return db.selectFrom('rooms').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function findRoomsByName(db: Db, names: readonly string[]): Promise<Map<string, RoomRow>> {
  if (names.length === 0) return new Map();
  const rows = await db.selectFrom('rooms').selectAll().where('name', 'in', [...names]).execute();
  return new Map(rows.map((row) => [row.name, row]));
}

export async function findRoomById(db: Db, id: number): Promise<RoomRow | undefined> {
  return db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertRoom(tx: Tx, room: { name: string; topic: string; kind: RoomKind; history: RoomHistory; createdBy: string; at: string }): Promise<RoomRow | undefined> {
  return tx
    .insertInto('rooms')
    .values({ name: room.name, topic: room.topic, kind: room.kind, history: room.history, retention_days: 0, created_by: room.createdBy, created_at: room.at })
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateRoom(tx: Tx, id: number, changes: Partial<Pick<RoomRow, 'topic' | 'kind' | 'history' | 'retention_days'>>): Promise<RoomRow> {
  return tx.updateTable('rooms').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function findMember(db: Db, roomId: number, userId: number): Promise<MemberRow | undefined> {
  return db.selectFrom('room_members').selectAll().where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst();
}

export async function findMemberByName(db: Db, roomId: number, name: string): Promise<MemberRow | undefined> {
  return db.selectFrom('room_members').selectAll().where('room_id', '=', roomId).where('user_name', '=', name).executeTakeFirst();
}

/** The joined members of rooms, each room's in the order they joined. */
export async function joinedMembers(db: Db, roomIds: readonly number[]): Promise<MemberRow[]> {
  if (roomIds.length === 0) return [];
  return db.selectFrom('room_members').selectAll().where('room_id', 'in', [...roomIds]).where('state', '=', 'joined').orderBy('room_id').orderBy('joined_at').orderBy('user_name').execute();
}

export async function joinedIds(db: Db, roomId: number): Promise<number[]> {
  const rows = await db.selectFrom('room_members').select('user_id').where('room_id', '=', roomId).where('state', '=', 'joined').execute();
  return rows.map((row) => Number(row.user_id));
}

export async function memberCounts(db: Db, roomIds: readonly number[]): Promise<Map<number, number>> {
  if (roomIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('room_members')
    .select(['room_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('room_id', 'in', [...roomIds])
    .where('state', '=', 'joined')
    .groupBy('room_id')
    .execute();
  return new Map(rows.map((row) => [Number(row.room_id), Number(row.n)]));
}

export async function ownerCount(db: Db, roomId: number): Promise<number> {
  const row = await db
    .selectFrom('room_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('room_id', '=', roomId)
    .where('state', '=', 'joined')
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Writes a person's row in a room, whatever it was before. */
export async function putMember(
  tx: Tx,
  row: { roomId: number; userId: number; name: string; role: RoomRole; state: MemberState; sinceOrd: number; readOrd: number; by: string | null; reason: string; at: string },
): Promise<MemberRow> {
  const values = {
    room_id: row.roomId,
    user_id: row.userId,
    user_name: row.name,
    role: row.role,
    state: row.state,
    muted: 0,
    since_ord: row.sinceOrd,
    read_ord: row.readOrd,
    joined_at: row.at,
    changed_by: row.by,
    reason: row.reason,
    changed_at: row.at,
  };
  const { room_id: _room, user_id: _user, ...changes } = values;
  return tx
    .insertInto('room_members')
    .values(values)
    .onConflict((oc) => oc.columns(['room_id', 'user_id']).doUpdateSet(changes))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Changes a person's state (left, kicked, banned...), keeping who did it and why. */
export async function setMemberState(tx: Tx, roomId: number, userId: number, state: MemberState, by: string | null, reason: string, at: string): Promise<MemberRow> {
  return tx
    .updateTable('room_members')
    .set({ state, changed_by: by, reason, changed_at: at, muted: 0 })
    .where('room_id', '=', roomId)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setMemberFields(tx: Tx, roomId: number, userId: number, changes: { role?: RoomRole; muted?: number }): Promise<MemberRow> {
  return tx.updateTable('room_members').set(changes).where('room_id', '=', roomId).where('user_id', '=', userId).returningAll().executeTakeFirstOrThrow();
}

export async function setReadOrd(tx: Tx, roomId: number, userId: number, ord: number): Promise<void> {
  await tx.updateTable('room_members').set({ read_ord: sql`case when read_ord > ${ord} then read_ord else ${ord} end` }).where('room_id', '=', roomId).where('user_id', '=', userId).execute();
}

/** The ids of the rooms a user is a member of now. */
export async function joinedRoomIds(db: Db, userId: number): Promise<number[]> {
  const rows = await db.selectFrom('room_members').select('room_id').where('user_id', '=', userId).where('state', '=', 'joined').execute();
  return rows.map((row) => Number(row.room_id));
}

/** The rooms I am in or invited to, by name, with their rows and mine. */
export async function myMemberships(db: Db, userId: number): Promise<Array<{ room: RoomRow; me: MemberRow }>> {
  const mine = await db.selectFrom('room_members').selectAll().where('user_id', '=', userId).where('state', 'in', ['joined', 'invited']).execute();
  if (mine.length === 0) return [];
  const rooms = await db.selectFrom('rooms').selectAll().where('id', 'in', mine.map((m) => m.room_id)).execute();
  const byId = new Map(rooms.map((room) => [Number(room.id), room]));
  return mine.map((me) => ({ room: byId.get(Number(me.room_id))!, me })).sort((a, b) => (a.room.name < b.room.name ? -1 : a.room.name > b.room.name ? 1 : 0));
}

export function toInvitation(room: RoomRow, me: MemberRow): RoomInvitation {
  return { room: room.name, topic: room.topic, kind: room.kind as RoomKind, by: me.changed_by ?? '', at: me.changed_at };
}

/** Public rooms, biggest first, optionally matching `query` in name or topic. */
export async function publicRooms(db: Db, query: string | undefined, limit: number): Promise<Array<{ row: RoomRow; members: number }>> {
  let select = db
    .selectFrom('rooms as r')
    .leftJoin('room_members as m', (join) => join.onRef('m.room_id', '=', 'r.id').on('m.state', '=', 'joined'))
    .select(['r.id', 'r.name', 'r.topic', 'r.kind', 'r.history', 'r.retention_days', 'r.created_by', 'r.created_at', (eb) => eb.fn.count<number>('m.user_id').as('n')])
    .where('r.kind', '=', 'public');
  if (query) {
    const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    select = select.where((eb) => eb.or([eb(sql`lower(r.name)`, 'like', sql`${pattern} escape '\\'`), eb(sql`lower(r.topic)`, 'like', sql`${pattern} escape '\\'`)]));
  }
  const rows = await select.groupBy(['r.id', 'r.name', 'r.topic', 'r.kind', 'r.history', 'r.retention_days', 'r.created_by', 'r.created_at']).orderBy('n', 'desc').orderBy('r.name').limit(limit).execute();
  return rows.map(({ n, ...row }) => ({ row, members: Number(n) }));
}

/** Banned people of a room, most recent first. */
export async function bans(db: Db, roomId: number): Promise<MemberRow[]> {
  return db.selectFrom('room_members').selectAll().where('room_id', '=', roomId).where('state', '=', 'banned').orderBy('changed_at', 'desc').execute();
}
