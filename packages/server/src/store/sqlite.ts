import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database as Tables } from './schema.ts';
import { podSqliteDialect } from './sqlite-driver.ts';
import type { Store } from './store.ts';

/**
 * SQLite in WAL mode with synchronous=FULL on every connection: better-sqlite3 would default
 * a WAL database to NORMAL, which can lose the last commits on power loss. Throughput comes
 * from group commit in the application runtime, not from weaker durability.
 */
function openConnection(file: string): Database.Database {
  const connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.pragma('busy_timeout = 10000');
  connection.pragma('foreign_keys = ON');
  connection.pragma('cache_size = -65536');
  // Each request runs in a savepoint; its sub-journal belongs in memory, not in a temp file.
  connection.pragma('temp_store = memory');
  return connection;
}

export function openSqliteStore(file: string): Store {
  mkdirSync(dirname(file), { recursive: true });
  const writer = openConnection(file);
  const reader = openConnection(file);
  const db = new Kysely<Tables>({ dialect: podSqliteDialect(writer, reader) });
  return {
    kind: 'sqlite',
    db,
    transaction: (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
  };
}
