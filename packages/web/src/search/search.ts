import type { PodClient } from '@pod/sdk';
import type { ImMessage, RoomMessage } from '@pod/protocol';

/** One found message, in a room or in a conversation, with where to open it. */
export type Hit = { kind: 'room'; message: RoomMessage; score: number } | { kind: 'im'; message: ImMessage; score: number; other: string };

export interface Filters {
  query: string;
  from: string;
  /** `room:NAME`, `im:PERSON`, or empty for everywhere. */
  in: string;
  /** Dates (YYYY-MM-DD) in the browser's time zone, both inclusive. */
  since: string;
  until: string;
}

/** Where each search's next page starts; null once it has no more. */
export interface Cursor {
  rooms: number | null;
  im: number | null;
}

const PAGE = 20;

/** Local midnight of a YYYY-MM-DD date, `days` later, as the ISO time the server takes. */
function midnight(date: string, days = 0): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y!, m! - 1, d! + days).toISOString();
}

/**
 * The next page of both searches (only the one `in` points at, if it does), merged best first
 * (ties: newest first). Each page merges only what was fetched, so a later page may hold a
 * better match than the last of an earlier one: pages stay stable as more are loaded.
 */
export async function searchPage(client: PodClient, me: string, filters: Filters, cursor: Cursor): Promise<{ hits: Hit[]; cursor: Cursor }> {
  const [where, name] = filters.in ? (filters.in.split(/:(.*)/s) as [string, string]) : ['', ''];
  const common = {
    query: filters.query,
    limit: PAGE,
    ...(filters.from.trim() ? { from: filters.from.trim() } : {}),
    ...(filters.since ? { after: midnight(filters.since) } : {}),
    ...(filters.until ? { before: midnight(filters.until, 1) } : {}),
  };
  const [rooms, im] = await Promise.all([
    where !== 'im' && cursor.rooms !== null ? client.request('rooms.search', { ...common, offset: cursor.rooms, ...(where === 'room' ? { in: name } : {}) }) : undefined,
    where !== 'room' && cursor.im !== null ? client.request('im.search', { ...common, offset: cursor.im, ...(where === 'im' ? { in: name } : {}) }) : undefined,
  ]);
  const hits: Hit[] = [
    ...(rooms?.results ?? []).map((r): Hit => ({ kind: 'room', ...r })),
    ...(im?.results ?? []).map((r): Hit => ({ kind: 'im', ...r, other: r.message.from === me ? r.message.to : r.message.from })),
  ].sort((a, b) => b.score - a.score || (a.message.at < b.message.at ? 1 : a.message.at > b.message.at ? -1 : 0));
  return { hits, cursor: { rooms: rooms?.next ?? null, im: im?.next ?? null } };
}

/** The text split so the searched words can be marked: React renders each part as text, never as HTML. */
export function markWords(text: string, query: string): Array<{ part: string; match: boolean }> {
  const words = new Set(query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []);
  if (words.size === 0) return [{ part: text, match: false }];
  const pattern = new RegExp(`(${[...words].join('|')})`, 'giu');
  return text
    .split(pattern)
    .filter(Boolean)
    .map((part) => ({ part, match: words.has(part.toLowerCase()) }));
}
