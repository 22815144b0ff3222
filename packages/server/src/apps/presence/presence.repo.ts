import type { PresenceStatus } from '@pod/protocol';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { PresenceTables } from '../../store/schema.ts';

type Db = Kysely<PresenceTables> | Transaction<PresenceTables>;

/** What others see of a person: a status and its text. */
export interface Presence {
  status: PresenceStatus;
  text: string;
}

/** A signed-in device (session) of a user. */
export interface Device {
  userId: number;
  session: string;
}

/** What decides one user's effective presence, as stored. */
export interface PresenceState {
  userId: number;
  chosen: Presence;
  announced: Presence;
  revision: number;
  /** Some device of theirs has not expired yet. */
  live: boolean;
}

// Keeps every statement far below the bound-parameter limits of SQLite (32766) and PostgreSQL (65535).
const CHUNK = 1000;

/** The presence inputs of these users at `now` (ms); users never seen by presence are absent. */
export async function readPresence(db: Db, userIds: readonly number[], now: number): Promise<Map<number, PresenceState>> {
  const states = new Map<number, PresenceState>();
  for (const ids of chunks([...new Set(userIds)])) {
    const rows = await db.selectFrom('presence_status').selectAll().where('user_id', 'in', ids).execute();
    const live = await db.selectFrom('presence_devices').select('user_id').distinct().where('user_id', 'in', ids).where('expires_at', '>', now).execute();
    const liveIds = new Set(live.map((row) => Number(row.user_id)));
    for (const row of rows) {
      const userId = Number(row.user_id);
      states.set(userId, {
        userId,
        chosen: { status: row.status as PresenceStatus, text: row.text },
        announced: { status: row.announced_status as PresenceStatus, text: row.announced_text },
        revision: Number(row.revision),
        live: liveIds.has(userId),
      });
    }
  }
  return states;
}

/**
 * Records that these users' presence inputs are about to change: bumps their revision and
 * marks them unannounced. Every write calls it before touching devices, so that on PostgreSQL
 * the status row is locked first and concurrent writes for one user queue up instead of
 * deciding from stale device rows. Ids are sorted so two writers lock in the same order.
 */
export async function touchStatus(tx: Transaction<PresenceTables>, userIds: readonly number[]): Promise<void> {
  for (const ids of chunks([...new Set(userIds)].sort((a, b) => a - b))) {
    await tx
      .insertInto('presence_status')
      .values(ids.map((userId) => ({ user_id: userId, status: 'online', text: '', announced_status: 'offline', announced_text: '', revision: 1, dirty: 1 })))
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ revision: sql`presence_status.revision + 1`, dirty: 1 }))
      .execute();
  }
}

export async function chooseStatus(tx: Transaction<PresenceTables>, userId: number, chosen: Presence): Promise<void> {
  await tx.updateTable('presence_status').set({ status: chosen.status, text: chosen.text }).where('user_id', '=', userId).execute();
}

/** A gateway holds the device now: online until `expiresAt` unless refreshed. */
export async function connectDevice(tx: Transaction<PresenceTables>, device: Device, gateway: string, expiresAt: number): Promise<void> {
  await tx
    .insertInto('presence_devices')
    .values({ user_id: device.userId, session: device.session, gateway, expires_at: expiresAt, connected: 1 })
    .onConflict((oc) => oc.columns(['user_id', 'session', 'gateway']).doUpdateSet({ expires_at: expiresAt, connected: 1 }))
    .execute();
}

/** The gateway let the device go: it stays online only until `expiresAt` (the grace). */
export async function disconnectDevice(tx: Transaction<PresenceTables>, device: Device, gateway: string, expiresAt: number): Promise<void> {
  await tx
    .updateTable('presence_devices')
    .set({ expires_at: expiresAt, connected: 0 })
    .where('user_id', '=', device.userId)
    .where('session', '=', device.session)
    .where('gateway', '=', gateway)
    .where('connected', '=', 1)
    .execute();
}

/** The listed devices the gateway holds that presence has no row for (their connect was lost, or they expired). */
export async function unknownDevices(tx: Transaction<PresenceTables>, gateway: string, devices: readonly Device[]): Promise<Device[]> {
  const unknown: Device[] = [];
  for (const part of chunks(devices)) {
    const known = await tx
      .selectFrom('presence_devices')
      .select(['user_id', 'session'])
      .where('gateway', '=', gateway)
      .where((eb) => eb(eb.refTuple('user_id', 'session'), 'in', part.map((d) => eb.tuple(d.userId, d.session))))
      .execute();
    const keys = new Set(known.map((row) => `${Number(row.user_id)} ${row.session}`));
    unknown.push(...part.filter((d) => !keys.has(`${d.userId} ${d.session}`)));
  }
  return unknown;
}

/**
 * Extends the gateway's devices to `expiresAt` and adds the unknown ones. A device the
 * gateway already let go keeps its grace: this refresh was sent before the goodbye.
 */
export async function refreshDevices(tx: Transaction<PresenceTables>, gateway: string, devices: readonly Device[], expiresAt: number): Promise<void> {
  // PostgreSQL refuses an upsert that names one row twice.
  const distinct = [...new Map(devices.map((d) => [`${d.userId} ${d.session}`, d])).values()];
  for (const part of chunks(distinct)) {
    await tx
      .insertInto('presence_devices')
      .values(part.map((d) => ({ user_id: d.userId, session: d.session, gateway, expires_at: expiresAt, connected: 1 })))
      .onConflict((oc) => oc.columns(['user_id', 'session', 'gateway']).doUpdateSet({ expires_at: expiresAt }).where('presence_devices.connected', '=', 1))
      .execute();
  }
}

export async function usersWithExpiredDevices(db: Db, now: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('presence_devices').select('user_id').distinct().where('expires_at', '<=', now).orderBy('user_id').limit(limit).execute();
  return rows.map((row) => Number(row.user_id));
}

/** Deletes these users' devices expired at `now`; one extended meanwhile stays. */
export async function deleteExpiredDevices(tx: Transaction<PresenceTables>, userIds: readonly number[], now: number): Promise<void> {
  for (const ids of chunks(userIds)) await tx.deleteFrom('presence_devices').where('user_id', 'in', ids).where('expires_at', '<=', now).execute();
}

/** Users with an unannounced change, by id after `afterUserId`: the sweep pages through them. */
export async function unannouncedUsers(db: Db, afterUserId: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('presence_status').select('user_id').where('dirty', '=', 1).where('user_id', '>', afterUserId).orderBy('user_id').limit(limit).execute();
  return rows.map((row) => Number(row.user_id));
}

/**
 * Records `shown` as announced. With `revision`, only if no write changed the user's inputs
 * since they were read (answers whether it did record); without, the caller holds the row.
 */
export async function markAnnounced(tx: Transaction<PresenceTables>, userId: number, shown: Presence, revision?: number): Promise<boolean> {
  let update = tx.updateTable('presence_status').set({ announced_status: shown.status, announced_text: shown.text, dirty: 0 }).where('user_id', '=', userId);
  if (revision !== undefined) update = update.where('revision', '=', revision);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
