import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder } from 'kysely';
import type { StoreKind } from '../store.ts';

/** The one place where the two dialects' DDL differs: auto-incrementing keys, clustered tables. */
export function withAutoId<T extends string>(table: CreateTableBuilder<T, never>, kind: StoreKind, column: string): CreateTableBuilder<T, never> {
  return kind === 'postgres'
    ? table.addColumn(column, 'bigserial', (c: ColumnDefinitionBuilder) => c.primaryKey())
    : table.addColumn(column, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
}

/**
 * A table whose primary key is its only lookup, stored clustered by that key on SQLite
 * (WITHOUT ROWID): each insert writes one B-tree instead of a table and a key index.
 * PostgreSQL has no such option and needs none here.
 */
export function clustered<T extends string, C extends string>(table: CreateTableBuilder<T, C>, kind: StoreKind): CreateTableBuilder<T, C> {
  return kind === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table;
}

/**
 * A text column compared and ordered by its bytes (UTF-8, so by code point) on both engines:
 * SQLite's default, PostgreSQL's "C" collation. File names are listed, paged and made unique
 * by it, so the order and what counts as "the same name" never depend on the engine or locale.
 */
export function bytewiseText(kind: StoreKind): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return (column) => (kind === 'postgres' ? column.notNull().modifyEnd(sql`collate "C"`) : column.notNull());
}
