import type { ImMessage, OpInput, OpOutput, RoomMessage } from '@pod/protocol';

type SearchOp = 'rooms.search' | 'im.search';
/** Calls an operation: a PodClient's `request`, or an HTTP `callOp` bound to a session. */
export type SearchCall = <N extends SearchOp>(op: N, body: OpInput<N>) => Promise<OpOutput<N>>;

/** One found message, in a room or in a 1:1 conversation (`other`: the person on the other end). */
export type MessageHit = { kind: 'room'; message: RoomMessage; score: number } | { kind: 'im'; message: ImMessage; score: number; other: string };

export interface MessageSearch {
  /** Words that must all appear. */
  query: string;
  /** Only messages this user sent. */
  from?: string;
  /** Only one room's, only one conversation's, or (a name) the room or conversation named so. */
  in?: { room: string } | { person: string } | { name: string };
  /** ISO times: at or after `after`, before `before`. */
  after?: string;
  before?: string;
  limit?: number;
}

/** Where each search's next page starts; null once it has no more. */
export interface SearchCursor {
  rooms: number | null;
  im: number | null;
}

export const FIRST_SEARCH_PAGE: SearchCursor = { rooms: 0, im: 0 };

const byRank = (a: MessageHit, b: MessageHit) => b.score - a.score || (a.message.at < b.message.at ? 1 : a.message.at > b.message.at ? -1 : 0);

/**
 * Searches every message the caller can read, in rooms and 1:1 conversations alike: the rooms
 * and im application servers each search their own messages with the store's full-text index,
 * and their pages are merged best first (ties: newest first). Each page merges only what was
 * fetched, so pages stay stable as more are loaded; `cursor` asks for the next one.
 */
export async function searchMessages(call: SearchCall, me: string, search: MessageSearch, cursor: SearchCursor = FIRST_SEARCH_PAGE): Promise<{ hits: MessageHit[]; cursor: SearchCursor }> {
  const common = {
    query: search.query,
    ...(search.from !== undefined ? { from: search.from } : {}),
    ...(search.after !== undefined ? { after: search.after } : {}),
    ...(search.before !== undefined ? { before: search.before } : {}),
    ...(search.limit !== undefined ? { limit: search.limit } : {}),
  };
  const where = search.in;
  const roomName = where && ('room' in where ? where.room : 'name' in where ? where.name : undefined);
  const person = where && ('person' in where ? where.person : 'name' in where ? where.name : undefined);
  const askRooms = cursor.rooms !== null && (!where || roomName !== undefined);
  const askIm = cursor.im !== null && (!where || person !== undefined);
  const [rooms, im] = await Promise.all([
    askRooms ? call('rooms.search', { ...common, offset: cursor.rooms!, ...(roomName !== undefined ? { in: roomName } : {}) }) : undefined,
    askIm ? call('im.search', { ...common, offset: cursor.im!, ...(person !== undefined ? { in: person } : {}) }) : undefined,
  ]);
  const hits: MessageHit[] = [
    ...(rooms?.results ?? []).map((r): MessageHit => ({ kind: 'room', ...r })),
    ...(im?.results ?? []).map((r): MessageHit => ({ kind: 'im', ...r, other: r.message.from === me ? r.message.to : r.message.from })),
  ].sort(byRank);
  return { hits, cursor: { rooms: rooms?.next ?? null, im: im?.next ?? null } };
}
