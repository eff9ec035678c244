/**
 * The pause before the `attempt`-th try (1-based) of something retried ever less often: `firstMs`,
 * then doubling, never more than `maxMs` (attempts below 1 count as the first).
 */
export function doublingPauseMs(firstMs: number, maxMs: number, attempt: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, attempt - 1));
}
