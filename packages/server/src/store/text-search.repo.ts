import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from './hot-sql.ts';

/** The words of a query, as both engines' tokenizers split text (letters, digits, "_"). */
export function queryWords(query: string): string[] {
  return (query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 32);
}

/**
 * How a query over a message table's text reads on this engine: the join it needs, the
 * condition (every word present, without stemming) and a relevance score, higher better.
 * The one place where the two engines' full-text search differs; `m` is the message table's alias.
 */
export function textMatch(db: Kysely<never>, table: 'room_messages' | 'im_messages', words: readonly string[]): { join: RawBuilder<unknown>; where: RawBuilder<unknown>; score: RawBuilder<number> } {
  if (isPostgres(db)) {
    const query = sql`plainto_tsquery('simple', ${words.join(' ')})`;
    return { join: sql``, where: sql`m.search @@ ${query}`, score: sql<number>`ts_rank(m.search, ${query})` };
  }
  const fts = sql.raw(`${table}_fts`);
  // Each word quoted, so no word is read as FTS5 syntax (AND, NEAR, "*").
  const match = words.map((word) => `"${word}"`).join(' ');
  return { join: sql`join ${fts} on ${fts}.rowid = m.ord`, where: sql`${fts} match ${match}`, score: sql<number>`-bm25(${fts})` };
}
