// Bounded concurrency over a list: the parts of a multipart upload, the files of a published table.

/**
 * Calls `run` on each item, at most `limit` at a time, starting them in list order. After the first failure no
 * further item starts, and the promise rejects with that failure once the running ones have settled, so nothing
 * is left reading a file or holding a connection when the caller cleans up.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        await run(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw failure.error;
}
