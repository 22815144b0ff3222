import { sql, type Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';

/** The message tables whose text is searched (see text-search.repo.ts, the one place that queries them). */
const TABLES = ['room_messages', 'im_messages'] as const;

/**
 * Full-text indexes over message text. SQLite: an external-content FTS5 table per message
 * table, kept current by triggers (an edit or a delete for everyone replaces the indexed
 * text). PostgreSQL: a generated tsvector column with a GIN index. Both tokenize without
 * stemming ('simple', unicode61), so a query matches the same messages on either engine.
 */
export async function up(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  for (const table of TABLES) {
    const fts = sql.raw(`${table}_fts`);
    const t = sql.raw(table);
    if (kind === 'postgres') {
      await sql`alter table ${t} add column search tsvector generated always as (to_tsvector('simple', text)) stored`.execute(db);
      await sql`create index ${sql.raw(`${table}_search`)} on ${t} using gin (search)`.execute(db);
      continue;
    }
    await sql`create virtual table ${fts} using fts5(text, content='${sql.raw(table)}', content_rowid='ord', tokenize='unicode61 remove_diacritics 2')`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_fts_insert`)} after insert on ${t} begin insert into ${fts}(rowid, text) values (new.ord, new.text); end`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_fts_delete`)} after delete on ${t} begin insert into ${fts}(${fts}, rowid, text) values ('delete', old.ord, old.text); end`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_fts_update`)} after update of text on ${t} begin
      insert into ${fts}(${fts}, rowid, text) values ('delete', old.ord, old.text);
      insert into ${fts}(rowid, text) values (new.ord, new.text);
    end`.execute(db);
    await sql`insert into ${fts}(${fts}) values ('rebuild')`.execute(db);
  }
}
