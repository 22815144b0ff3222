import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';
import type { StoreKind } from '../store.ts';

/** The one place where the two dialects' DDL differs: auto-incrementing keys. */
export function withAutoId<T extends string>(table: CreateTableBuilder<T, never>, kind: StoreKind, column: string): CreateTableBuilder<T, never> {
  return kind === 'postgres'
    ? table.addColumn(column, 'bigserial', (c: ColumnDefinitionBuilder) => c.primaryKey())
    : table.addColumn(column, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
}
