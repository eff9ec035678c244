/** Pure counting over timestamps (ms), shared by the simulator process and the unit test. */

/** The largest number of timestamps inside any window [t, t + windowMs). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  if (!(windowMs > 0)) throw new Error(`maxInWindow: windowMs must be positive, got ${windowMs}`);
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    const time = sorted[end] ?? 0;
    while (time - (sorted[start] ?? time) >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** How many timestamps fall in [from, to). */
export function countBetween(times: readonly number[], from: number, to: number): number {
  let n = 0;
  for (const t of times) if (t >= from && t < to) n += 1;
  return n;
}

/** Runs `task` over `items`, `concurrency` at a time; resolves when all are done. */
export async function inLanes<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
