import { CompiledQuery, PostgresAdapter, type Kysely, type QueryResult } from 'kysely';

type Dialect = 'postgres' | 'sqlite';

const dialectOf = new WeakMap<object, Dialect>();

function dialect(db: Kysely<never>): Dialect {
  const executor = db.getExecutor();
  let found = dialectOf.get(executor);
  if (!found) {
    found = executor.adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
    dialectOf.set(executor, found);
  }
  return found;
}

/**
 * A statement over many rows at once. `text` holds `{rows}` where the rows go, as a
 * relation with the columns in order (`insert into t (a, b) {rows}`, `where (a, b) in ({rows})`);
 * `types` are the columns' PostgreSQL types.
 */
export interface RowsStatement {
  text: string;
  types: readonly string[];
}

/** SQLite takes at most 32,766 parameters in one statement; PostgreSQL's arrays have no such limit. */
const SQLITE_PARAMETERS = 30_000;

/**
 * Runs a statement of the hot path over many rows, in as few statements as the engine allows,
 * from SQL text without Kysely's query builder (building and compiling would cost more CPU
 * than SQLite takes to run it). SQLite gets
 * `values (?, ?), ...`. PostgreSQL gets one array parameter per column through `unnest`, so
 * the text is the same whatever the number of rows: it is parsed and planned once per
 * connection (see preparedStatementName), and a batch of any size costs one round trip.
 * Results of the chunks are concatenated.
 */
export async function rowsQuery<R>(db: Kysely<never>, statement: RowsStatement, rows: ReadonlyArray<readonly unknown[]>): Promise<QueryResult<R>> {
  const width = statement.types.length;
  if (dialect(db) === 'postgres') {
    const columns = statement.types.map((_, column) => rows.map((row) => row[column]));
    return db.executeQuery<R>(CompiledQuery.raw(postgresRowsText(statement), columns));
  }
  const perStatement = Math.max(1, Math.floor(SQLITE_PARAMETERS / width));
  const results: R[] = [];
  let affected = 0n;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const text = statement.text.replace('{rows}', `values ${placeholderRows(chunk.length, width)}`);
    const result = await db.executeQuery<R>(CompiledQuery.raw(text, chunk.flat() as unknown[]));
    results.push(...result.rows);
    affected += result.numAffectedRows ?? 0n;
  }
  return { rows: results, numAffectedRows: affected };
}

const rowsTexts = new Map<RowsStatement, string>();
const prepared = new Map<string, string>();

function postgresRowsText(statement: RowsStatement): string {
  let text = rowsTexts.get(statement);
  if (text === undefined) {
    const arrays = statement.types.map((type, index) => `$${index + 1}::${type}[]`).join(', ');
    text = statement.text.replace('{rows}', `select * from unnest(${arrays})`);
    rowsTexts.set(statement, text);
    prepared.set(text, `pod_stmt_${prepared.size + 1}`);
  }
  return text;
}

/**
 * Runs a PostgreSQL statement of the hot path whose text never changes (array parameters),
 * prepared once per connection under a name.
 */
export function preparedQuery<R>(db: Kysely<never>, text: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
  if (!prepared.has(text)) prepared.set(text, `pod_stmt_${prepared.size + 1}`);
  return db.executeQuery<R>(CompiledQuery.raw(text, parameters as unknown[]));
}

export function isPostgres(db: Kysely<never>): boolean {
  return dialect(db) === 'postgres';
}

/**
 * The name under which PostgreSQL keeps a many-row statement prepared on each connection, or
 * undefined for any other text (whose variety would fill every connection with statements).
 */
export function preparedStatementName(text: string): string | undefined {
  return prepared.get(text);
}

const tuples = new Map<string, string>();

/** `(?, ?), (?, ?)` for `rows` rows of `columns` values. */
function placeholderRows(rows: number, columns: number): string {
  const key = `${rows}x${columns}`;
  let text = tuples.get(key);
  if (text === undefined) {
    const tuple = `(${Array(columns).fill('?').join(', ')})`;
    text = Array(rows).fill(tuple).join(', ');
    tuples.set(key, text);
  }
  return text;
}
