import { CompiledQuery, PostgresAdapter, type Kysely, type QueryResult } from 'kysely';

const dialectOf = new WeakMap<object, 'postgres' | 'sqlite'>();
const postgresText = new Map<string, string>();

/**
 * Runs a statement of the hottest path (every message) from SQL text with `?` placeholders,
 * without Kysely's query builder: building and compiling costs more CPU than SQLite takes to
 * run these statements. The text must be portable SQL; PostgreSQL gets `$1, $2, ...`.
 */
export function hotQuery<R>(db: Kysely<never>, text: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
  const executor = db.getExecutor();
  let dialect = dialectOf.get(executor);
  if (!dialect) {
    dialect = executor.adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
    dialectOf.set(executor, dialect);
  }
  return db.executeQuery<R>(CompiledQuery.raw(dialect === 'postgres' ? numbered(text) : text, parameters as unknown[]));
}

function numbered(text: string): string {
  let converted = postgresText.get(text);
  if (converted === undefined) {
    let index = 0;
    converted = text.replace(/\?/g, () => `$${++index}`);
    postgresText.set(text, converted);
  }
  return converted;
}

const tuples = new Map<string, string>();

/** `(?, ?), (?, ?)` for `rows` rows of `columns` values, for multi-row inserts. */
export function placeholderRows(rows: number, columns: number): string {
  const key = `${rows}x${columns}`;
  let text = tuples.get(key);
  if (text === undefined) {
    const tuple = `(${Array(columns).fill('?').join(', ')})`;
    text = Array(rows).fill(tuple).join(', ');
    tuples.set(key, text);
  }
  return text;
}
