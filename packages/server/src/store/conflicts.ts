/**
 * PostgreSQL ends one of two transactions that wait on each other (deadlock_detected) or
 * cannot be serialised (serialization_failure); nothing of it committed, and running it
 * again usually succeeds. Two app runners (or processes) whose batches append to the same
 * users' mailboxes in different orders can meet this way. SQLite has one writer and never does.
 */
const RETRYABLE = new Set(['40P01', '40001']);

export function isTransactionConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE.has(String((error as { code?: unknown }).code));
}

/**
 * A unique index refused a row: two requests raced to the same name (the one checked before
 * inserting, in another process's transaction). The loser answers `conflict`.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = String((error as { code?: unknown }).code);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
