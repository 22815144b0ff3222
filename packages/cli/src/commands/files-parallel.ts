/**
 * Runs `run` on the items, `limit` at a time. The first failure aborts the others' signal and
 * is what this rejects with: a transfer of many files stops at the first file that fails.
 */
export async function inParallel<T>(items: readonly T[], limit: number, run: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++]!;
      try {
        await run(item, controller.signal);
      } catch (error) {
        failure ??= { error };
        controller.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
