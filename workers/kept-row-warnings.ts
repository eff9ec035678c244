/**
 * A kept callback row (a newer release's form, workers/callback-row.ts) is looked at every 90 s
 * until a newer worker sends it or its budget ends: after a rollback that is all day. A warning per
 * look was ~960 lines a day per row, all saying what wa_callbacks_kept_unreadable_total counts, so
 * a process warns once per row per period and logs the other looks at debug.
 */

/** How often one process warns about the same kept row. */
export const KEPT_WARN_EVERY_MS = 60 * 60_000;
/** Rows one process remembers having warned about; beyond it the oldest are forgotten (warned again sooner). */
const REMEMBERED_ROWS = 10_000;

export interface KeptRowWarnings {
  /** True when this process has not warned about the row within the period (and now counts as having warned). */
  shouldWarn(memberId: string, rowId: string, nowMs: number): boolean;
}

export function createKeptRowWarnings(): KeptRowWarnings {
  // Insertion order is warning order (a row is only added once forgotten), so the oldest come first.
  const warnedAt = new Map<string, number>();
  return {
    shouldWarn(memberId, rowId, nowMs) {
      for (const [key, at] of warnedAt) {
        if (nowMs - at < KEPT_WARN_EVERY_MS && warnedAt.size < REMEMBERED_ROWS) break;
        warnedAt.delete(key);
      }
      const key = `${memberId}\n${rowId}`;
      if (warnedAt.has(key)) return false;
      warnedAt.set(key, nowMs);
      return true;
    },
  };
}
