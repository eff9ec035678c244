import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys';

/**
 * Deletes every key of a portal (they all share its hash tag prefix): waits, callbacks,
 * messages, inbound stream, event subscriptions. Used on ONAPPUNINSTALL; portal record and lines go first.
 */
export async function forgetPortalData(redis: Redis, keys: RedisKeys, memberId: string): Promise<number> {
  const pattern = `${keys.portal(memberId).replace(/:portal$/, '')}:*`;
  let cursor = '0';
  let removed = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (found.length) removed += await redis.unlink(...found);
  } while (cursor !== '0');
  await redis.zrem(keys.callbackPortals(), memberId);
  // The global id → portal index of its event subscriptions (their records went with the scan).
  const owners = await redis.hgetall(keys.hookOwners());
  const subscriptions = Object.keys(owners).filter((id) => owners[id] === memberId);
  if (subscriptions.length) await redis.hdel(keys.hookOwners(), ...subscriptions);
  return removed;
}
