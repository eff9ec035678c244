import type { RedisClient } from './connect';
import { asNumber, run } from './scripts';

/** What a health write did (line-health-write-2.lua). */
export type HealthWrite = 'written' | 'not_the_line' | 'unreadable_line';

/** Typed wrappers of the line store's scripts (loaded with the others by scripts.ts). */
export const lineScripts = {
  /**
   * Writes a portal's line (`value` '' removes it) with a new config version, only while it still
   * holds `onlyIf` when that is given (null: only while there is no such line); answers the value
   * replaced (null: none), or false when the line changed meanwhile and nothing was written.
   */
  async writeLine(
    redis: RedisClient,
    keys: { lines: string; version: string },
    line: { id: string; value: string; version: string; onlyIf?: string | null },
  ): Promise<{ replaced: string | null } | false> {
    const onlyIf = line.onlyIf === null ? '-' : (line.onlyIf ?? '');
    const args = [line.id, line.value, line.version, onlyIf];
    const reply = await run(redis, 'line-write-2', [keys.lines, keys.version], args);
    const [written, replaced]: unknown[] = Array.isArray(reply) ? reply : [];
    if (typeof replaced !== 'string') throw new Error('line-write-2: unexpected reply');
    return asNumber(written) === 1 && { replaced: replaced === '' ? null : replaced };
  },

  /**
   * Writes a line's health record (JSON) only while the stored line still has the record's provider
   * and phone number id: `not_the_line` when it is gone or stands for another number now,
   * `unreadable_line` when the stored line is no JSON object (nothing written either way).
   */
  async writeHealth(
    redis: RedisClient,
    keys: { lines: string; health: string },
    record: { lineId: string; provider: string; phoneNumberId: string; value: string },
  ): Promise<HealthWrite> {
    const args = [record.lineId, record.provider, record.phoneNumberId, record.value];
    const code = asNumber(await run(redis, 'line-health-write-2', [keys.lines, keys.health], args));
    return code === 1 ? 'written' : code === -1 ? 'unreadable_line' : 'not_the_line';
  },
};
