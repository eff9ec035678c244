import { type Callback, callbackId, indexMark } from '../bitrix/callback-outbox';
import { eventIds } from '../hooks/event-schemas';
import { hookEmitArgs } from '../hooks/hook-emitter';
import { RecentMap } from '../lib/recent-map';
import type { RedisClient } from '../redis/connect';
import type { HookEmit } from '../redis/hook-scripts';
import type { RedisKeys } from '../redis/keys';
import { type ClaimResult, waitScripts } from '../redis/wait-scripts';
import { waitEndedEventOf } from './wait-ended-event';
import type { Wait, WaitEnd } from './wait-schema';

const KEEP_ENDED_MS = 7 * 86400_000;
/** How long a portal found with outbound-event subscriptions gets its `wait.ended` built up front. */
const SUBSCRIBED_HINT_MS = 60_000;

/** What ending a wait reports to the robot/activity (null: no callback, e.g. the robot is gone). */
export interface WaitOutcome {
  returnValues: Record<string, string>;
  logMessage: string;
}

/**
 * A reply's end: `messageId`, the inbound message (it ends at most one wait); `subscribed`, whether
 * the portal has outbound-event subscriptions as the reply's job just read them (a fresher hint
 * than this process's memory of the last refusal).
 */
export interface EndByReply {
  messageId?: string;
  subscribed?: boolean;
  /**
   * Called when the end script finds subscriptions the job's read did not see (one added since),
   * before the end is made again with its `wait.ended`: the reply's own `message.received`, so the
   * new subscription hears of the message before its wait's end.
   */
  beforeEvent?: () => Promise<unknown>;
}

/** `confirmToken`: the index mark to confirm after the index write (none: another's write is under way). */
type EndResult = { result: ClaimResult; mustIndex: boolean; confirmToken?: string };

/**
 * Ends waits exactly once (wait-end-10.lua), queuing the callback and the `wait.ended` event in the
 * same atomic step, so a crash after the claim still delivers them. No outcome: no callback (the
 * robot is gone). `mustIndex`: a callback was queued and no confirmed write of the global index of
 * due portals as early is marked, so the caller writes it (`CallbackOutbox.indexQueued`,
 * confirming `confirmToken` when there is one); a burst of ended waits writes it once.
 */
export class WaitEnder {
  /**
   * Portals whose wait end last found outbound-event subscriptions: their `wait.ended` is built up
   * front. Others end without it (most portals subscribe to nothing: the script call is a third
   * smaller and no event is built); the script refuses that when it finds subscriptions, in the
   * same step as the claim, and the end is made again with the event. Only a hint: never a lost event.
   */
  private readonly subscribed = new RecentMap<string, true>({ maxEntries: 10_000, ttlMs: SUBSCRIBED_HINT_MS });

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async end(
    wait: Wait,
    status: WaitEnd,
    reason: string,
    outcome: WaitOutcome | null,
    now: number,
    reply: EndByReply = {},
  ): Promise<EndResult> {
    const replyMessageId = reply.messageId ?? '';
    const callback: Callback | null = outcome
      ? {
          eventToken: wait.eventToken,
          returnValues: outcome.returnValues,
          logMessage: outcome.logMessage,
          waitId: wait.id,
          attempts: 0,
          queuedAt: now,
        }
      : null;
    const run = (withEvent: boolean) =>
      this.endOnce({ wait, status, reason, outcome, now, replyMessageId, callback, withEvent });
    const m = wait.memberId;
    // A fresh read by the caller refreshes the hint: ends made later without one (time-outs, other
    // replies) need no refused run either.
    if (reply.subscribed === true) this.subscribed.set(m, true, now);
    if (reply.subscribed === false) this.subscribed.delete(m);
    let ended = await run(reply.subscribed ?? this.subscribed.get(m, now) === true);
    if (ended.result === 'event_needed') {
      this.subscribed.set(m, true, now);
      await reply.beforeEvent?.();
      ended = await run(true);
    }
    const { result, mustIndex, confirmToken } = ended;
    if (result === 'event_needed') throw new Error(`wait ${wait.id}: the end script asked for the event it was given`);
    return { result, mustIndex, ...(confirmToken === undefined ? {} : { confirmToken }) };
  }

  /** One run of the end script; `withEvent: false` sends the `wait.ended` id without its body. */
  private async endOnce(o: {
    wait: Wait;
    status: WaitEnd;
    reason: string;
    outcome: WaitOutcome | null;
    now: number;
    replyMessageId: string;
    callback: Callback | null;
    withEvent: boolean;
  }): Promise<{ result: ClaimResult | 'event_needed'; mustIndex: boolean; confirmToken?: string }> {
    const { wait, callback } = o;
    const k = this.keys;
    const m = wait.memberId;
    const eventId = eventIds.waitEnded(wait.id);
    const event: HookEmit = o.withEvent
      ? hookEmitArgs(k, m, waitEndedEventOf(wait, o.status, o.reason, o.outcome, o.now))
      : { ...hookEmitArgs(k, m, null), seenKey: k.hookSeen(m, eventId), eventId, body: '' };
    const mark = indexMark();
    const { result, mustIndex, mustConfirm } = await waitScripts.endWait(
      this.redis,
      {
        wait: k.wait(m, wait.id),
        index: k.waitIndex(m),
        open: k.openWaits(m),
        cbPending: k.callbackPending(m),
        cbDue: k.callbackDue(m),
        replyTaken: k.replyTaken(m, o.replyMessageId || '-'),
        hookSeen: k.hookSeen(m, eventId),
        hookEvents: k.hookEvents(m),
        hookSubscriptions: k.hookSubscriptions(m),
        cbIndexed: k.callbackIndexed(m),
      },
      event,
      {
        waitId: wait.id,
        status: o.status,
        reason: o.reason,
        nowMs: o.now,
        callbackId: callback ? callbackId(wait.eventToken) : '',
        callbackJson: callback ? JSON.stringify(callback) : '',
        keepMs: KEEP_ENDED_MS,
        phoneField: k.waitIndexPhoneField(wait.lineId, wait.phone),
        documentField: wait.documentId ? k.waitIndexDocumentField(wait.documentId) : '',
        // The script removes the alias field the stored wait names; this one covers waits aliased before
        // that field was stored (they name none).
        aliasField: wait.waId ? k.waitIndexPhoneField(wait.lineId, wait.waId) : '',
        byReply: o.replyMessageId !== '',
        waitField: k.waitIndexWaitField(wait.id),
      },
      mark,
    );
    return { result, mustIndex, ...(mustConfirm ? { confirmToken: mark.token } : {}) };
  }
}
