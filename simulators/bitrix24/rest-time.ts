/** The `time` block of REST answers. */

/** The last second formatted: every answer (and each row of a batch) formats two times, mostly of one second. */
let lastSecond = Number.NaN;
let lastFormatted = '';

/** Formats a date as `2025-01-29T14:05:52+00:00`. */
export function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastFormatted = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    lastSecond = second;
  }
  return lastFormatted;
}

/** Builds the `time` object for a call that started at `startMs`. */
export function restTime(startMs: number, withOperating = true): Record<string, unknown> {
  const finishMs = Date.now();
  const duration = (finishMs - startMs) / 1000;
  const base: Record<string, unknown> = {
    start: startMs / 1000,
    finish: finishMs / 1000,
    duration,
    processing: duration,
    date_start: isoSeconds(startMs),
    date_finish: isoSeconds(finishMs),
  };
  if (withOperating) {
    base.operating_reset_at = Math.floor(startMs / 1000) + 600;
    base.operating = 0;
  }
  return base;
}
