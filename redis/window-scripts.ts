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
};
