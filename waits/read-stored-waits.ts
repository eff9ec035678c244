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
  // One MULTI (all keys carry the portal's hash tag): no end can run between the two reads, so a
  // wait is found open in the index or ended under its own key, never missed.
  const replies = await redis
    .multi()
    .hmget(keys.waitIndex(memberId), ...ids.map((id) => keys.waitIndexWaitField(id)))
    .mget(ids.map((id) => keys.wait(memberId, id)))
    .exec();
  const [open, own] = (replies ?? []).map(([error, reply]) => {
    if (error) throw error;
    return Array.isArray(reply) ? reply : [];
  });
  return ids.map((_, i) => stringOrNull(open?.[i]) ?? stringOrNull(own?.[i]));
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
