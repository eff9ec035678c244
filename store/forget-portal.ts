import { type RedisClient, scanKeys } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

/**
 * Deletes every key of a portal (they all share its hash tag prefix): waits, callbacks,
 * messages, inbound stream, event subscriptions. Used on ONAPPUNINSTALL; portal record and lines go first.
 * On a cluster every master is scanned (a SCAN visits one node); the keys found share one slot.
 */
export async function forgetPortalData(redis: RedisClient, keys: RedisKeys, memberId: string): Promise<number> {
  const pattern = `${keys.portal(memberId).replace(/:portal$/, '')}:*`;
  let removed = 0;
  for await (const found of scanKeys(redis, pattern)) removed += await redis.unlink(...found);
  await redis.zrem(keys.callbackPortals(), memberId);
  await redis.zrem(keys.waitDeadlinePortals(), memberId);
  await redis.zrem(keys.openLinePortals(), memberId);
  // The global id → portal index of its event subscriptions (their records went with the scan).
  const owners = await redis.hgetall(keys.hookOwners());
  const subscriptions = Object.keys(owners).filter((id) => owners[id] === memberId);
  if (subscriptions.length) await redis.hdel(keys.hookOwners(), ...subscriptions);
  return removed;
}
