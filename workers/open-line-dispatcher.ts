import { ADDRESS_REFUSED, PORTAL_NOT_INSTALLED } from '../bitrix/bitrix-error';
import type { PortalClientFactory } from '../bitrix/portal-client';
import type { Clock } from '../lib/clock';
import { classifyError } from '../lib/errors/classify-error';
import type { Logger } from '../lib/logger';
import { settleAll } from '../lib/settle-all';
import { DRAIN_RETRY_BASE_MS, TrackedDrains } from '../lib/tracked-drains';
import { WakeableLoop } from '../lib/wakeable-loop';
import type { NoteChatDrop } from '../openlines/chat-drops';
import { type ChatItemSenderDeps, nextGroup, sendChatItems } from '../openlines/chat-item-sender';
import { arrangeChat, leadingSkips, orderAfter, type ReadyItem } from '../openlines/chat-order';
import { parseChatId } from '../openlines/customer-item';
import { checkRefusedOpenLine, type RefusedLineCheckDeps } from '../openlines/refused-line-check';
import {
  leftOpenLine,
  lineNowOf,
  noteLeftDrops,
  type RefusedOpenLines,
  routeReady,
} from '../openlines/stale-open-lines';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import type { ActivityLog } from '../store/activity-log';
import { LEASE_LOST, type OpenLineOutbox, type OrderChange } from '../store/open-line-outbox';
import { holdChatLease, LeaseLostError } from './chat-lease-hold';
import { GAP_RECHECK_MS, type GapHoldDeps, gapTimeoutFor, passedGapLog } from './open-line-gap-hold';
import { dropCodeOf, pauseFor } from './open-line-retry';
import { type AddressRefusalNotes, createAddressRefusalNotes } from './portal-address-refusal';
import { closeWakeUps, subscribeToWakeUps } from './wake-subscription';

export interface OpenLineDispatcherOptions extends ChatItemSenderDeps, Omit<GapHoldDeps, 'outbox'> {
  redis: RedisClient;
  /** A connection of its own for the wake-up subscription. */
  subscriber: RedisClient;
  keys: RedisKeys;
  outbox: OpenLineOutbox;
  /** Also the chat's line's attachment: an open line the portal refused may no longer be the line's. */
  openLines: ChatItemSenderDeps['openLines'] & RefusedLineCheckDeps['openLines'];
  /** A refused open line the attachment says is on: its switch-off check is queued again. */
  queues: RefusedLineCheckDeps['queues'];
  bitrix: PortalClientFactory;
  clock: Clock;
  log: Logger;
  safetyPollMs?: number;
  /** How long a claimed chat stays with this process without news (renewed while a group is sent). */
  leaseMs?: number;
  /** First retry pause after the portal refused (doubling, at most `retryMaxMs`). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long a chat's items the portal keeps refusing are retried before they are dropped (default a day). */
  maxAgeMs?: number;
  /** How long a chat's later messages wait for a missing number before they go on (default 30 s). */
  gapTimeoutMs?: number;
  /** Records items dropped (the settings page's activity log): none is lost unseen. */
  noteChatDrop?: NoteChatDrop;
  /** The settings page's activity log: a refused portal address is noted there. */
  activity: Pick<ActivityLog, 'noteError'>;
}

/** Chats one portal drains side by side (each chat strictly one call at a time). */
const CHATS_AT_ONCE = 16;
/** Groups one claim sends before the chat is let go (others get their turn). */
const GROUPS_PER_CLAIM = 10;

/**
 * Delivers the open-line outbox: each chat is leased by one process at a time and its items go in
 * order, a run of customer messages in one `imconnector.send.messages`; every call takes the
 * portal's shared REST limit. QUERY_LIMIT_EXCEEDED, an outage or a 5xx delays a chat (retried with
 * backoff for up to a day; a refused portal address, minutes apart); only an uninstalled portal drops its items at once, a malformed item
 * (ERROR_ARGUMENT) is dropped alone; items for an open line the chat's WhatsApp line no longer
 * serves follow it to its switched-on open line (read with the items at each claim), or, once the
 * portal refused their open line while the line serves none (detached, switched off), are dropped.
 */
export class OpenLineDispatcher {
  private readonly loop: WakeableLoop;
  private readonly draining: TrackedDrains;
  private readonly failures = new Map<string, number>();
  private readonly safetyPollMs: number;
  private readonly leaseMs: number;
  private readonly maxAgeMs: number;
  private readonly gapTimeoutMs: number;
  private readonly logPassedGaps: ReturnType<typeof passedGapLog>;
  private readonly refusals: AddressRefusalNotes;

  constructor(private readonly o: OpenLineDispatcherOptions) {
    this.refusals = createAddressRefusalNotes(o);
    this.gapTimeoutMs = o.gapTimeoutMs ?? 30_000;
    this.logPassedGaps = passedGapLog(o.log);
    this.safetyPollMs = o.safetyPollMs ?? 5000;
    // A portal whose drain keeps failing pauses (doubling) instead of going again at every pass.
    this.draining = new TrackedDrains({ clock: o.clock, baseMs: DRAIN_RETRY_BASE_MS, maxMs: this.safetyPollMs });
    this.leaseMs = o.leaseMs ?? 30_000;
    this.maxAgeMs = o.maxAgeMs ?? 24 * 3600_000;
    this.loop = new WakeableLoop({
      pass: () => this.pass(),
      fallbackMs: this.safetyPollMs,
      onError: (error) => o.log.error({ err: error }, 'open-line dispatcher loop failed'),
      // Its drains end before the wake-up connection closes (never waits on a dead Redis).
      onStopped: () => this.draining.settled().then(() => closeWakeUps(this.o.subscriber)),
    });
  }

  async start(): Promise<void> {
    if (this.loop.isRunning) return;
    await subscribeToWakeUps(this.o.subscriber, this.o.keys.openLineWake(), {
      log: this.o.log,
      errorMessage: 'open-line wake-up error',
      onWake: () => this.loop.wake(),
    });
    this.loop.start();
  }

  /** Finishes the drains in flight and closes the wake-up connection; a second call resolves with the first. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Re-indexes portals whose chats have items (covers a crash between queuing and indexing). */
  async reindexPortals(memberIds: string[]): Promise<void> {
    for (const memberId of memberIds) {
      const [, first] = await this.o.redis.zrange(this.o.keys.openLineDue(memberId), 0, 0, 'WITHSCORES');
      if (first !== undefined) await this.o.outbox.markDue(memberId, Number(first));
    }
  }

  private async pass(): Promise<number> {
    const index = this.o.keys.openLinePortals();
    const now = this.o.clock.now();
    const due = await this.o.redis.zrangebyscore(index, '-inf', now, 'LIMIT', 0, 64);
    for (const memberId of due) {
      if (!this.draining.mayStart(memberId, now)) continue;
      this.draining.start(memberId, () => this.drainPortal(memberId), {
        failed: (error) => this.o.log.error({ memberId, err: error }, 'open-line drain failed'),
        ended: () => this.loop.wake(),
      });
    }
    const [, next] = await this.o.redis.zrangebyscore(index, `(${now}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
    return this.draining.sleepMs(now, next, this.safetyPollMs);
  }

  /** Drains the portal's due chats, then puts the portal back in the index at its next due time. */
  private async drainPortal(memberId: string): Promise<void> {
    const chats = await this.o.outbox.dueChats(memberId, CHATS_AT_ONCE);
    // Every chat's drain ends before this one does (stop() waits for them), a failed one or not.
    await settleAll(chats.map((chatKey) => this.drainChat(memberId, chatKey)));
    const index = this.o.keys.openLinePortals();
    const [, first] = await this.o.redis.zrange(this.o.keys.openLineDue(memberId), 0, 0, 'WITHSCORES');
    if (first === undefined) await this.o.redis.zrem(index, memberId);
    else await this.o.redis.zadd(index, Number(first), memberId);
    // An item queued meanwhile must not wait for the safety poll.
    const [, again] = await this.o.redis.zrange(this.o.keys.openLineDue(memberId), 0, 0, 'WITHSCORES');
    if (again !== undefined) await this.o.outbox.markDue(memberId, Number(again));
  }

  /** Sends a claimed chat's items in order, group by group; settles after each so nothing goes twice. */
  async drainChat(memberId: string, chatKey: string): Promise<void> {
    const { outbox, clock } = this.o;
    const portal = this.o.bitrix(memberId);
    // After a run refused as malformed (ERROR_ARGUMENT), its items go one by one.
    let single = false;
    // Open lines the portal refused while the chat's line served no switched-on one: their items
    // are dropped while that lasts (each claim reads the line's attachment again with the items).
    const refused: RefusedOpenLines = new Set();
    const lineId = parseChatId(chatKey)?.lineId;
    for (let round = 0; round < GROUPS_PER_CLAIM; round += 1) {
      const claimed = await outbox.claim(memberId, chatKey, this.leaseMs, 50, lineId);
      if (!claimed) return;
      const { token } = claimed;
      // Items follow the line's open line as read with them (a move is seen before any refusal).
      // A chat key naming no line (an older format) reads no attachment: unknown, not "none".
      const lineNow = lineId === undefined ? undefined : lineNowOf(claimed.attachment, this.o.log, memberId, chatKey);
      const now = clock.now();
      const hold = await gapTimeoutFor(this.o, memberId, chatKey, claimed.order, now, this.gapTimeoutMs);
      const arranged = arrangeChat(claimed.items, claimed.order, now, hold.timeoutMs);
      this.logPassedGaps(memberId, chatKey, arranged);
      /** Settles `done` (a prefix of the ready items): the chat's next number moves past them. */
      const settle = async (done: ReadyItem[], nextDueMs: number, change?: OrderChange): Promise<boolean> => {
        const order = change ?? orderAfter(claimed.order, arranged, done);
        const members = done.map((r) => r.member);
        if ((await outbox.settle(memberId, chatKey, token, members, nextDueMs, order)) !== LEASE_LOST) return true;
        this.o.log.warn({ memberId, chatKey }, 'open-line chat lease lost before settling; another dispatcher has it');
        return false;
      };
      const { ready, gap } = arranged;
      if (ready.length === 0) {
        // Empty, or its next message is missing: it sleeps until that one comes (queuing wakes
        // it) or the gap time-out passes.
        // Held by a retrying job: looks again shortly (its item, once queued, wakes the chat at once).
        const at = !gap
          ? now
          : hold.held
            ? Math.min(gap.since + hold.timeoutMs, now + GAP_RECHECK_MS)
            : gap.since + this.gapTimeoutMs;
        await settle([], at, gap ? { gap, sleepOnGap: true, wakeAt: clock.now() } : {});
        return;
      }
      const skips = leadingSkips(ready);
      if (skips.length > 0) {
        // Numbers of messages not shown in the chat: settled without a portal call.
        if (!(await settle(skips, clock.now()))) return;
        continue;
      }
      const { dropped, sendable } = routeReady(ready, lineNow, refused);
      if (dropped.length > 0) {
        // Their open line is not the line's any more and it serves none: said, not held for a day.
        if (!(await settle(dropped, clock.now()))) return;
        await noteLeftDrops(this.o, memberId, chatKey, dropped);
        continue;
      }
      const group = nextGroup(
        sendable.map((r) => r.item),
        single ? 1 : undefined,
      );
      const done = sendable.slice(0, group.length);
      const failureKey = `${memberId}|${chatKey}`;
      const lease = holdChatLease({ ...this.o, leaseMs: this.leaseMs }, memberId, chatKey, token);
      try {
        await sendChatItems(this.o, lease.guard(portal), group);
        this.failures.delete(failureKey);
        if (!(await settle(done, clock.now()))) return;
      } catch (error) {
        if (error instanceof LeaseLostError) {
          this.o.log.warn({ memberId, chatKey }, 'open-line chat lease lost; its items are left to the new holder');
          return;
        }
        const failure = classifyError(error);
        if (failure.code === PORTAL_NOT_INSTALLED) {
          this.o.log.warn({ memberId, count: group.length }, 'chat items dropped: the portal uninstalled the app');
          this.failures.delete(failureKey);
          if (!(await settle(done, clock.now()))) return;
          continue;
        }
        if (failure.code === 'ERROR_ARGUMENT') {
          // A malformed item: alone, it is dropped (sending it again would be refused again); in a
          // run of several, the run is sent item by item so only the malformed one is.
          if (group.length > 1) {
            single = true;
            if (!(await settle([], clock.now()))) return;
            continue;
          }
          this.o.log.error({ memberId, chatKey, item: group[0]?.id }, 'the portal refused a malformed chat item');
          this.failures.delete(failureKey);
          if (!(await settle(done, clock.now()))) return;
          await this.o.noteChatDrop?.(memberId, chatKey, done.length, 'open_line_not_delivered');
          continue;
        }
        if (failure.code === 'NOT_ACTIVE_LINE') {
          if (await leftOpenLine(this.o, memberId, chatKey, group, refused)) {
            // At once, in order: the next round's claim reads the line again and routes (or drops) them.
            if (!(await settle([], clock.now()))) return;
            continue;
          }
          // Still on in the app: a lost switch-off check is queued again (the chat pauses meanwhile).
          await checkRefusedOpenLine(this.o, memberId, chatKey, group);
        }
        const oldest = claimed.oldestAt ?? clock.now();
        if (clock.now() - oldest > this.maxAgeMs) {
          this.failures.delete(failureKey);
          if (!(await settle(done, clock.now()))) return;
          this.o.log.error(
            { memberId, chatKey, code: failure.code, count: done.length },
            'chat items refused for a day',
          );
          await this.o.noteChatDrop?.(memberId, chatKey, done.length, dropCodeOf(failure.code));
          continue;
        }
        // Limits, outages, a line switched off (NOT_ACTIVE_LINE: back with the next attach), the
        // portal's address refused when connecting (its DNS may answer public again), and refusals
        // of the whole call that a reinstall or a setup can cure (portal_needs_reinstall,
        // IMCONNECTOR_NO_CORRECT_PROVIDER, ACCESS_DENIED, WRONG_AUTH_TYPE, insufficient_scope,
        // invalid_token) wait and are tried again, in order, for up to a day.
        const attempts = (this.failures.get(failureKey) ?? 0) + 1;
        this.failures.set(failureKey, attempts);
        const base = this.o.retryBaseMs ?? 1000;
        const backoff =
          failure.retryAfterMs ?? Math.min(this.o.retryMaxMs ?? 30_000, base * 2 ** Math.min(attempts - 1, 10));
        const pause = pauseFor(failure.code, backoff, attempts);
        if (failure.code === ADDRESS_REFUSED)
          await this.refusals.refused(memberId, error, { what: 'open_line', pauseMs: pause });
        else
          this.o.log.warn(
            { memberId, chatKey, code: failure.code, attempts, pause },
            'chat items not delivered; will retry',
          );
        await settle([], clock.now() + pause);
        return;
      } finally {
        await lease.release();
      }
    }
    // Let the chat go: it is due now if anything is left.
  }
}
