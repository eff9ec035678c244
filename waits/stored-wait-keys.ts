import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

type WaitKeys = Pick<RedisKeys, 'wait' | 'waitIndex' | 'waitIndexWaitField'>;

/**
 * Where a stored wait is: an open one is a field of the portal's wait index, an ended one (kept a
 * week with a TTL, which a hash field cannot have) or one an older release stored a key of its own
 * (redis/lua/lib/wait-record.lua): the scripts get both keys and the field. Stored waits (JSON) by
 * id, wherever each is; null for none.
 */
export async function readStoredWaits(
  redis: RedisClient,
  keys: WaitKeys,
  memberId: string,
  ids: string[],
): Promise<Array<string | null>> {
  if (!ids.length) return [];
  // Sent together (one write on an auto-pipelined connection), the index first: a wait ending
  // between the two is found open by the first or ended by the second, never missed.
  const [open, own] = await Promise.all([
    redis.hmget(keys.waitIndex(memberId), ...ids.map((id) => keys.waitIndexWaitField(id))),
    redis.mget(ids.map((id) => keys.wait(memberId, id))),
  ]);
  return ids.map((_, i) => open?.[i] ?? own?.[i] ?? null);
}
