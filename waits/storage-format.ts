import type { RedisClient } from '../redis/connect';

/**
 * The wait storage layout this release writes: 2 = an open wait is a field (`w:<id>`) of its
 * portal's wait-index hash and moves to a key of its own when it ends. Layout 1 (the releases
 * before) kept every wait under its own key and wrote no mark.
 */
export const WAIT_STORAGE_FORMAT = 2;

/**
 * Run by every worker process before it takes a job: marks this Redis as holding layout 2 and
 * refuses to run beside workers of another layout that left a mark (a later release's, or this
 * one's rollback target after a later one migrated). Layout-1 workers leave no mark, so a missing
 * mark with old-layout open waits is the normal upgrade: this release reads both layouts and goes
 * on. That upgrade still needs every old worker stopped first (README, "Upgrading"): an old worker
 * cannot see the open waits this release writes.
 */
export async function claimStorageFormat(redis: RedisClient, key: string): Promise<void> {
  await redis.set(key, String(WAIT_STORAGE_FORMAT), 'NX');
  const found = await redis.get(key);
  if (found !== String(WAIT_STORAGE_FORMAT))
    throw new Error(
      `Redis key ${key} says wait storage format ${found ?? '(none)'}, this release writes ${WAIT_STORAGE_FORMAT}: ` +
        'stop the workers of the other release first (README, "Upgrading")',
    );
}
