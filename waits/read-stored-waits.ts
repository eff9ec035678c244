import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

type WaitKeys = Pick<RedisKeys, 'wait' | 'waitIndex' | 'waitIndexWaitField'>;

/**
 * Where a stored wait is: an open one is a field of the portal's wait index, an ended one (kept a
 * week with a key TTL; field TTLs need Redis 7.4, newer than the 7.0 this app supports) or one an
 * older release stored a key of its own (redis/lua/lib/wait-record.lua): the scripts get both keys
 * and the field. Stored waits (JSON) by id, wherever each is; null for none.
 */
export async function readStoredWaits(
  redis: RedisClient,
  keys: WaitKeys,
  memberId: string,
  ids: string[],
): Promise<Array<string | null>> {
  if (!ids.length) return [];
  // Open waits first (the index), then only the ones not there under their own keys. An end moves
  // a wait from the index to its own key in one step, so a wait missing from the index was already
  // ended (or never opened) when the index was read, and its own key holds it from then on: never
  // missed. One command for the usual case, an open wait, instead of a MULTI of two.
  const open = await redis.hmget(keys.waitIndex(memberId), ...ids.map((id) => keys.waitIndexWaitField(id)));
  const missing = ids.filter((_, i) => typeof open[i] !== 'string');
  if (!missing.length) return open;
  const own = await redis.mget(missing.map((id) => keys.wait(memberId, id)));
  let next = 0;
  return ids.map((_, i) => stringOrNull(open[i]) ?? stringOrNull(own[next++]));
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
