import { RecentMap } from '../lib/recent-map';
import type { RedisClient } from '../redis/connect';
import { type HookEmit, hookScripts } from '../redis/hook-scripts';
import type { RedisKeys } from '../redis/keys';
import { buildEvent, type EventData, eventIds, type OutboundEvent } from './event-schemas';

/** How long an event id is remembered: longer than any job's or webhook's retries. */
const SEEN_MS = 2 * 86400_000;
/**
 * How long a portal seen with subscriptions is taken to have them without asking. Only "has some"
 * is remembered: an event built for nobody is dropped by the emit script (which counts them again),
 * while "has none" is always read fresh, and only once the event's own change is written (a status
 * once stored; `wait.ended` is counted by the end script itself), so a new subscription gets every
 * event whose change comes after it.
 */
const SUBSCRIBED_MEMORY_MS = 5000;
/** Portals one process remembers that way at most (oldest out). */
const SUBSCRIBED_MEMORY_MAX = 10_000;

/** The script arguments that emit `event` (keys of its portal); null = none (the scripts skip it). */
export function hookEmitArgs(keys: RedisKeys, memberId: string, event: OutboundEvent | null): HookEmit {
  return {
    seenKey: keys.hookSeen(memberId, event?.id ?? '-'),
    streamKey: keys.hookEvents(memberId),
    subscriptionsKey: keys.hookSubscriptions(memberId),
    eventId: event?.id ?? '',
    body: event?.body ?? '',
    seenMs: SEEN_MS,
    channel: keys.hookWake(),
    memberId,
  };
}

/** What a wait's end tells the subscribers (`wait.ended`); its id is the wait's, so it is emitted once. */
export function waitEndedEvent(
  wait: { id: string; memberId: string; lineId: string },
  at: number,
  data: Omit<EventData<'wait.ended'>, 'wait_id'>,
): OutboundEvent {
  const source = { id: eventIds.waitEnded(wait.id), memberId: wait.memberId, line: wait.lineId, occurredAt: at };
  return buildEvent('wait.ended', source, { wait_id: wait.id, ...data });
}

/**
 * Emits outbound events: one O(1) append to the portal's event stream, once per event id, nothing
 * when the portal has no subscriptions. Delivery is the deliverer's (workers/hook-deliverer.ts).
 */
export class HookEmitter {
  /** Portals seen with subscriptions (as of the caller's clock). */
  private readonly subscribedSeen = new RecentMap<string, true>({
    maxEntries: SUBSCRIBED_MEMORY_MAX,
    ttlMs: SUBSCRIBED_MEMORY_MS,
  });

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Whether the portal has subscriptions, so that events nobody would hear are not even built (most
   * portals have none). "None" is read fresh each time (one HLEN); "some" is remembered a few seconds.
   * A reply's job also hands this to its wait end as a hint (whether to build `wait.ended` up
   * front); the script that ends the wait still counts them in the same step (WaitEnder).
   * `counted`: the count (HLEN) the caller read just before, with its other first reads (then no read here).
   */
  async subscribed(memberId: string, nowMs: number, counted?: number): Promise<boolean> {
    if (this.subscribedSeen.get(memberId, nowMs)) return true;
    const count = counted ?? (await this.redis.hlen(this.keys.hookSubscriptions(memberId)));
    if (count === 0) return false;
    this.subscribedSeen.set(memberId, true, nowMs);
    return true;
  }

  /** True when appended; false when nobody subscribes or this event id was emitted before. */
  async emit(event: OutboundEvent, nowMs: number): Promise<boolean> {
    const args = hookEmitArgs(this.keys, event.memberId, event);
    return hookScripts.emitHookEvent(this.redis, { ...args, type: event.type, nowMs });
  }
}
