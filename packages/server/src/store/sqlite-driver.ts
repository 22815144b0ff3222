import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  RawNode,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

const STATEMENT_CACHE_SIZE = 500;

/** One SQLite connection with its prepared statements kept, so a hot query is compiled once. */
class Prepared {
  private readonly cache = new Map<string, Statement>();

  constructor(readonly db: BetterSqlite3.Database) {}

  run(query: CompiledQuery): QueryResult<unknown> {
    let statement = this.cache.get(query.sql);
    if (!statement) {
      statement = this.db.prepare(query.sql);
      if (this.cache.size >= STATEMENT_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(query.sql, statement);
    }
    const parameters = query.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(...parameters) };
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }
}

/** Serialises use of the writer: SQLite has one writer, and a transaction spans awaits. */
class Lock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => held);
    return previous.then(() => release);
  }
}

/**
 * A Kysely driver with two connections to one WAL database: a writer for transactions and
 * writes (held under a lock for a whole transaction), and a reader for queries outside any
 * transaction, which WAL lets run while a write transaction is open. Kysely's own SQLite
 * driver holds its single connection for every query and prepares each statement anew.
 */
class PodSqliteDriver implements Driver {
  private readonly lock = new Lock();

  constructor(
    private readonly writer: Prepared,
    private readonly reader: Prepared,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Handle(this.writer, this.reader, this.lock);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as Handle).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as Handle).end('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as Handle).end('rollback');
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.reader.db.close();
    this.writer.db.close();
  }
}

class Handle implements DatabaseConnection {
  private release: (() => void) | undefined;

  constructor(
    private readonly writer: Prepared,
    private readonly reader: Prepared,
    private readonly lock: Lock,
  ) {}

  async begin(): Promise<void> {
    this.release = await this.lock.acquire();
    this.writer.db.exec('begin immediate');
  }

  end(command: 'commit' | 'rollback'): void {
    try {
      this.writer.db.exec(command);
    } finally {
      this.release?.();
      this.release = undefined;
    }
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.release) return this.writer.run(query) as QueryResult<R>;
    if (isRead(query)) return this.reader.run(query) as QueryResult<R>;
    const release = await this.lock.acquire();
    try {
      return this.writer.run(query) as QueryResult<R>;
    } finally {
      release();
    }
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not used by Pod');
  }
}

function isRead(query: CompiledQuery): boolean {
  return SelectQueryNode.is(query.query) || (RawNode.is(query.query) && /^\s*select\b/i.test(query.sql));
}

export function podSqliteDialect(writer: BetterSqlite3.Database, reader: BetterSqlite3.Database): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new PodSqliteDriver(new Prepared(writer), new Prepared(reader)),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
  };
}
