import type { RedisClient } from './connect';
import { asNumber, run } from './scripts';

/** What window-read-5.lua answers: the kept values (null where there is none) and the call's steps when asked for. */
export interface WindowReadReply {
  last: string | null;
  waId: string | null;
  since: string | null;
  byOther: string | null;
  /** The call's sent-step hash (field → value), null when not asked for. */
  steps: Record<string, string> | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** HGETALL's flat answer (field, value, …) as a record. */
function fieldsOf(flat: unknown): Record<string, string> {
  if (!Array.isArray(flat)) throw new Error(`window-read-5: steps are ${typeof flat}, expected a list`);
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
  return fields;
}

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
  /** What is known of a customer's window, and the call's steps (`keys.steps`) when `withSteps`. */
  async readWindow(
    redis: RedisClient,
    keys: { window: string; waId: string; tracking: string; otherWindow: string; steps: string },
    args: { lineId: string; hasOther: boolean; withSteps: boolean },
  ): Promise<WindowReadReply> {
    const reply = await run(
      redis,
      'window-read-5',
      [keys.window, keys.waId, keys.tracking, keys.otherWindow, keys.steps],
      [args.lineId, args.hasOther ? '1' : '0', args.withSteps ? '1' : '0'],
    );
    const values: unknown[] = Array.isArray(reply) ? reply : [];
    const [last, waId, since, byOther, steps] = values;
    return {
      last: text(last),
      waId: text(waId),
      since: text(since),
      byOther: text(byOther),
      steps: args.withSteps ? fieldsOf(steps) : null,
    };
  },
};
