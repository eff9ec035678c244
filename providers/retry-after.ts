/**
 * Reads an HTTP `Retry-After` header (RFC 9110 §10.2.3: delay in seconds, or an HTTP date) as ms
 * from `nowMs`; undefined when absent or unreadable. Capped at an hour: a longer pause is a
 * provider outage, which the queue's own retries handle.
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - nowMs;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, 3_600_000);
}
