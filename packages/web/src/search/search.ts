import { searchMessages, type MessageHit, type MessageSearch, type PodClient, type SearchCursor } from '@pod/sdk';

export type { MessageHit as Hit, SearchCursor as Cursor } from '@pod/sdk';

export interface Filters {
  query: string;
  from: string;
  /** `room:NAME`, `im:PERSON`, or empty for everywhere. */
  in: string;
  /** Dates (YYYY-MM-DD) in the browser's time zone, both inclusive. */
  since: string;
  until: string;
}

const PAGE = 20;

/** Local midnight of a YYYY-MM-DD date, `days` later, as the ISO time the server takes. */
function midnight(date: string, days = 0): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y!, m! - 1, d! + days).toISOString();
}

/** The next page of the search the form describes (see searchMessages). */
export function searchPage(client: PodClient, me: string, filters: Filters, cursor: SearchCursor): Promise<{ hits: MessageHit[]; cursor: SearchCursor }> {
  const [where, name] = filters.in ? (filters.in.split(/:(.*)/s) as [string, string]) : ['', ''];
  const search: MessageSearch = {
    query: filters.query,
    limit: PAGE,
    ...(filters.from.trim() ? { from: filters.from.trim() } : {}),
    ...(filters.since ? { after: midnight(filters.since) } : {}),
    ...(filters.until ? { before: midnight(filters.until, 1) } : {}),
    ...(where === 'room' ? { in: { room: name } } : where === 'im' ? { in: { person: name } } : {}),
  };
  return searchMessages((op, body) => client.request(op, body), me, search, cursor);
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
