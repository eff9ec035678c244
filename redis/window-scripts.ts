import type { RedisClient } from './connect';
import { asNumber, run } from './scripts';

/** Typed wrappers of the 24-hour window scripts (listed with the others in redis/script-files.ts). */
export const windowScripts = {
  /** Notes a customer's message time (Unix s) on a line; returns the newest kept. */
  async noteWindow(
    redis: RedisClient,
    keys: { window: string; tracking: string },
    args: { atSec: number; lineId: string; nowMs: number; ttlSec: number },
  ): Promise<number> {
    const argv = [args.atSec, args.lineId, args.nowMs, args.ttlSec];
    return asNumber(await run(redis, 'window-note-2', [keys.window, keys.tracking], argv));
  },
  /** What is known of a customer's window: the kept values, null where there is none. */
  async readWindow(
    redis: RedisClient,
    keys: { window: string; waId: string; tracking: string; otherWindow: string },
    args: { lineId: string; hasOther: boolean },
  ): Promise<{ last: string | null; waId: string | null; since: string | null; byOther: string | null }> {
    const reply = await run(
      redis,
      'window-read-4',
      [keys.window, keys.waId, keys.tracking, keys.otherWindow],
      [args.lineId, args.hasOther ? '1' : '0'],
    );
    const values: unknown[] = Array.isArray(reply) ? reply : [];
    const [last, waId, since, byOther] = values.map((v) => (typeof v === 'string' ? v : null));
    return { last: last ?? null, waId: waId ?? null, since: since ?? null, byOther: byOther ?? null };
  },
};
