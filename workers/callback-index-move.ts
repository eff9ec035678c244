import { type CallbackOutbox, INDEX_MARK_TTL_MS, INDEX_MOVING_MARK, movingMark } from '../bitrix/callback-outbox';
import { callbackScripts } from '../redis/callback-scripts';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

export interface IndexMoveDeps {
  redis: RedisClient;
  keys: Pick<RedisKeys, 'callbackPortals' | 'callbackIndexed' | 'callbackMoves' | 'callbackDue'>;
  outbox: Pick<CallbackOutbox, 'markDue'>;
}

/**
 * Puts a portal's entry in the global index of due portals where its outbox says after a batch
 * settled (`earliest`: its first due time, -1 when empty), and keeps the index mark honest.
 * The index may now be later than an enqueuer's confirmed mark says. The moving mark replaces it
 * before the write (no confirm lands while it is there) and is replaced after the write and before
 * the re-read: confirmed at the score written when no other move overlapped this one, so a busy
 * portal's next results (due as late) write no index, else deleted (callback-move-start-2.lua,
 * callback-moved-2.lua). A callback queued after the re-read writes the index itself unless that
 * confirmed mark covers it (callback-enqueue-3.lua), one queued before it is found by the re-read,
 * and if this process dies or a command fails in between, the moving mark left behind still makes
 * every enqueuer write.
 */
export async function moveIndexEntry(deps: IndexMoveDeps, memberId: string, earliest: number): Promise<void> {
  const { redis, keys } = deps;
  const index = keys.callbackPortals();
  const marks = { mark: keys.callbackIndexed(memberId), moves: keys.callbackMoves(memberId) };
  const moving = movingMark();
  const alone = await callbackScripts.startIndexMove(redis, marks, moving, INDEX_MOVING_MARK.ttlMs);
  if (earliest < 0) await redis.zrem(index, memberId);
  else await redis.zadd(index, earliest, memberId);
  await callbackScripts.endIndexMove(redis, marks, { moving, alone }, earliest, INDEX_MARK_TTL_MS);
  // A callback queued while the batch settled must not wait for the sweep: look once more.
  const first = await redis.zrange(keys.callbackDue(memberId), 0, 0, 'WITHSCORES');
  if (first.length === 2) await deps.outbox.markDue(memberId, Number(first[1]));
}
