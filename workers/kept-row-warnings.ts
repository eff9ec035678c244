/**
 * A kept callback row (a newer release's form, workers/callback-row.ts) is looked at every 90 s
 * until a newer worker sends it or its budget ends: after a rollback that is all day. A warning per
 * look was ~960 lines a day per row, all saying what wa_callbacks_kept_unreadable_total counts, so
 * a process warns once per row per period and logs the other looks at debug.
 */

/** How often one process warns about the same kept row. */
export const KEPT_WARN_EVERY_MS = 60 * 60_000;
/** Rows one process remembers having warned about (memory bound); beyond it new rows log at debug, and the cap is warned about once a period. */
const REMEMBERED_ROWS = 10_000;

/**
 * How to log one look at a kept row: `warn` (not warned about within the period; now it has been),
 * `debug` (warned about already, or past the cap), `over_cap` (past the cap, and the cap itself not
 * said within the period: the row at debug and one warning that rows past the cap go unwarned).
 */
export type KeptRowLog = 'warn' | 'debug' | 'over_cap';

export interface KeptRowWarnings {
  /** How to log this look at the row (see KeptRowLog); a `warn` counts as the row's warning for the period. */
  levelFor(memberId: string, rowId: string, nowMs: number): KeptRowLog;
  /** The rows one process remembers (the cap the `over_cap` warning names). */
  readonly cap: number;
}

/** `rememberedRows`: tests only (the cap made small). */
export function createKeptRowWarnings(o: { rememberedRows?: number } = {}): KeptRowWarnings {
  const cap = o.rememberedRows ?? REMEMBERED_ROWS;
  // Insertion order is warning order (a row is only added once forgotten), so the oldest come first
  // while the clock moves forward; after a step back expired entries may wait behind a younger one
  // (harmless: the cap still bounds the map).
  const warnedAt = new Map<string, number>();
  // When this process last said it stopped warning about rows past the cap (null: not yet).
  let capSaidAt: number | null = null;
  return {
    cap,
    levelFor(memberId, rowId, nowMs) {
      for (const [key, at] of warnedAt) {
        if (nowMs - at < KEPT_WARN_EVERY_MS) break;
        warnedAt.delete(key);
      }
      const key = `${memberId}\n${rowId}`;
      // Asked before anything is forgotten, and full of rows still within their period nothing is:
      // kept rows are looked at in turn, so forgetting the oldest to make room for a new one would
      // forget each just before its next look, and every look would warn again (the flood this
      // module exists to stop). The rows beyond the cap are still counted; they log at debug, and
      // the cap itself is warned about once a period (`over_cap`).
      if (warnedAt.has(key)) return 'debug';
      if (warnedAt.size < cap) {
        warnedAt.set(key, nowMs);
        return 'warn';
      }
      // Past the cap these rows would go unwarned without a word: said once a period instead.
      if (capSaidAt !== null && nowMs - capSaidAt < KEPT_WARN_EVERY_MS && nowMs >= capSaidAt) return 'debug';
      capSaidAt = nowMs;
      return 'over_cap';
    },
  };
}
