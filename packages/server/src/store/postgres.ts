import { PodError } from '@pod/protocol';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { preparedStatementName } from './hot-sql.ts';
import type { Database as Tables } from './schema.ts';
import type { Store } from './store.ts';

const INT8 = 20;

/**
 * int8 (bigint) arrives from pg as a string, to be exact beyond 2^53. Pod's ids, seqs and
 * counts stay far below that, and the repos expect numbers as SQLite gives them. Set on this
 * pool only, not with the global `pg.types.setTypeParser`, so other pg users are untouched;
 * a value that would not be exact fails loudly instead of rounding.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 && format !== 'binary') {
      return (value: string) => {
        const number = Number(value);
        if (!Number.isSafeInteger(number)) throw new Error(`int8 value ${value} is beyond JavaScript's exact integers`);
        return number;
      };
    }
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

/** A schema name as the `schema` parameter may give it: a plain lower-case identifier, which search_path takes as is. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * `postgres://user@host:port/db?schema=name`: the optional `schema` parameter puts every
 * table (and the migration bookkeeping) in that schema through search_path, set as a
 * connection option so each pooled connection has it before its first query. The schema
 * must exist. Every connection also gets synchronous_commit=on, as SQLite's get
 * synchronous=FULL: a client is answered after a commit, so the commit must be on disk even
 * where the database's default was weakened. pg's own parameters (sslmode, ...) pass
 * through; a given `options` is kept, Pod's settings come after it.
 */
export function postgresPoolConfig(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  const given = parsed.searchParams.get('options');
  // pg lets the connection string's options win over the pool's, so they are merged here.
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('options');
  const options = [given, '-c synchronous_commit=on'];
  if (schema !== null) {
    if (!SCHEMA_NAME.test(schema)) throw new PodError('invalid', `database URL: schema "${schema}" must be lower-case letters, digits and underscores`);
    options.push(`-c search_path=${schema}`);
  }
  return { connectionString: parsed.toString(), types, max: 10, options: options.filter(Boolean).join(' ') };
}

/**
 * Kysely sends every query unnamed, so PostgreSQL parses and plans it each time. The many-row
 * statements of the hot path (hot-sql.ts, rowsQuery) have one text whatever their size: sent
 * under a name, each connection prepares them once.
 */
function prepareManyRowStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, values?: unknown) => {
    const name = typeof text === 'string' ? preparedStatementName(text) : undefined;
    return name ? query({ name, text, values }) : values === undefined ? query(text) : query(text, values);
  }) as typeof client.query;
}

export function openPostgresStore(url: string): Store {
  const pool = new pg.Pool(postgresPoolConfig(url));
  // A connection can fail (server restart). pg emits that on the pool while the connection is
  // idle, but on the client itself while it is checked out between two queries (inside a
  // transaction), and an unhandled 'error' event would end the process. Either way the next
  // query on it fails, the pool drops it on release, and the next query gets a fresh one.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    prepareManyRowStatements(client);
  });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    transaction: (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
  };
}
