/**
 * A kept callback row (a newer release's form, workers/callback-row.ts) is looked at every 90 s
 * until a newer worker sends it or its budget ends: after a rollback that is all day. A warning per
 * look was ~960 lines a day per row, all saying what wa_callbacks_kept_unreadable_total counts, so
 * a process warns once per row per period and logs the other looks at debug.
 */

/** How often one process warns about the same kept row. */
export const KEPT_WARN_EVERY_MS = 60 * 60_000;
/** Rows one process remembers having warned about (memory bound); beyond it new rows log at debug. */
const REMEMBERED_ROWS = 10_000;

export interface KeptRowWarnings {
  /** True when this process has not warned about the row within the period (and now counts as having warned). */
  shouldWarn(memberId: string, rowId: string, nowMs: number): boolean;
}

/** `rememberedRows`: tests only (the cap made small). */
export function createKeptRowWarnings(o: { rememberedRows?: number } = {}): KeptRowWarnings {
  const cap = o.rememberedRows ?? REMEMBERED_ROWS;
  // Insertion order is warning order (a row is only added once forgotten), so the oldest come first
  // while the clock moves forward; after a step back expired entries may wait behind a younger one
  // (harmless: the cap still bounds the map).
  const warnedAt = new Map<string, number>();
  return {
    shouldWarn(memberId, rowId, nowMs) {
      for (const [key, at] of warnedAt) {
        if (nowMs - at < KEPT_WARN_EVERY_MS) break;
        warnedAt.delete(key);
      }
      const key = `${memberId}\n${rowId}`;
      // Asked before anything is forgotten, and full of rows still within their period nothing is:
      // kept rows are looked at in turn, so forgetting the oldest to make room for a new one would
      // forget each just before its next look, and every look would warn again (the flood this
      // module exists to stop). The rows beyond the cap are still counted; they log at debug.
      if (warnedAt.has(key) || warnedAt.size >= cap) return false;
      warnedAt.set(key, nowMs);
      return true;
    },
  };
}
