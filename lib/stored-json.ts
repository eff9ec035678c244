import type { z } from 'zod';

/**
 * `raw` parsed as JSON and read by `schema`, or null when it is not JSON or not of that shape: a
 * value stored by an older release (or a foreign writer) is passed over by its reader, not a failure.
 */
export function parseStoredJson<T>(schema: z.ZodType<T>, raw: string): T | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
