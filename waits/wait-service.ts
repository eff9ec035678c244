import type { Callback, CallbackOutbox } from '../bitrix/callback-outbox';
import type { Clock } from '../lib/clock';
import { ActionError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { mapCloudApiError } from '../providers/cloud-api/cloud-api-errors';
import { type InboundStatus, timestampMs } from '../providers/inbound-message';
import type { OutboundMessage } from '../providers/provider';
import type { OrdinaryMessage } from '../store/inbound-stream';
import type { Line } from '../store/line-store';
import type { MessageStore } from '../store/message-store';
import { type OpenWaitDeps, type OpenWaitRequest, openWait, waitIdFor } from './open-wait';
import type { StageReading } from './stage-reader';
import { createReplyTaker } from './take-reply';
import type { EndByReply } from './wait-ender';
import { cancelledOutcome, deliveryOutcome, failedOutcome, timeoutOutcome, type ZonedWait } from './wait-outcomes';
import type { Wait, WaitEnd } from './wait-schema';
import type { WaitOutcome, WaitStore } from './wait-store';

/** How many due portals one drain run takes, and how many due waits of each. */
const DRAIN_PORTALS = 100;
const DRAIN_WAITS_PER_PORTAL = 500;
/** Waits of one portal ended side by side (each may read the portal's stage). */
const DRAIN_PARALLEL = 10;
/** A portal whose time-outs failed (its portal unreachable) is tried again this much later, not every run. */
const DRAIN_RETRY_MS = 30_000;

/** What the wait service uses; each part can be real (Redis) or a test's own. */
export interface WaitServiceDeps extends OpenWaitDeps {
  store: WaitStore;
  stages: StageReading;
  messages: Pick<MessageStore, 'get'>;
  outbox: Pick<CallbackOutbox, 'indexQueued'>;
  /** The ordinary-message sink (the open-line relay, or the stream alone); its answer is not read here. */
  ordinary: { append(memberId: string, message: OrdinaryMessage): Promise<unknown> };
  /** Sends a re-ask on the line (waits for a slot, bounded). */
  sendReask: (line: Line, message: OutboundMessage) => Promise<unknown>;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'waits'>;
  /** The portal's time zone ('' = UTC) for outcome times; `version`: the config version the caller read, else read now. */
  timeZoneOf: (memberId: string, version?: string) => Promise<string>;
}

type StatusError = { code: number; title?: string; message?: string; error_data?: { details?: string } };

/** Waits end exactly once: by reply, delivery status, time-out or cancellation; robots also by a stage move. */
export function createWaitService(deps: WaitServiceDeps) {
  const { store, stages, clock } = deps;
  const log = deps.log.child({ component: 'waits' });
  /**
   * The wait with its portal's time zone, for the outcome's times (Object.assign: V8 adds a
   * property written after a leading spread slowly, µs on a wait's two dozen fields).
   */
  const zoned = async (wait: Wait, portalVersion?: string): Promise<ZonedWait> =>
    Object.assign({}, wait, { timeZone: await deps.timeZoneOf(wait.memberId, portalVersion) });

  /**
   * Claims the wait; on success makes the callback due at once. True when this call ended it —
   * or, for a reply, when that reply had already ended a wait (its job ran twice): taken either way.
   */
  async function end(
    wait: Wait,
    status: WaitEnd,
    reason: string,
    outcome: WaitOutcome | null,
    reply: EndByReply = {},
  ): Promise<boolean> {
    const now = clock.now();
    const { result, mustIndex, confirmToken } = await store.endAndMark(wait, status, reason, outcome, now, reply);
    // This reply's job ran before and ended another wait: its index write may have failed with it.
    if (result === 'reply_taken') {
      if (outcome) await deps.outbox.indexQueued(wait.memberId, now);
      return true;
    }
    if (result !== 'claimed') return false;
    // The dispatchers find the callback through the global index: written unless a confirmed write
    // as early is marked (a burst of ended waits writes it once; callback-enqueue-3.lua says why).
    if (outcome && mustIndex) await deps.outbox.indexQueued(wait.memberId, now, confirmToken);
    deps.metrics.waits.inc({ outcome: status, reason });
    log.info({ memberId: wait.memberId, waitId: wait.id, status, reason }, 'wait ended');
    return true;
  }

  /** A robot's wait is over once its document left the stage it started in (checked fresh at resume). */
  async function robotStillOnStage(wait: Wait): Promise<boolean> {
    if (wait.kind !== 'robot' || !wait.stageAtStart) return true;
    const stage = await stages.read(wait.memberId, wait.documentId);
    if (stage === wait.stageAtStart) return true;
    // The robot is gone with its stage: end silently, never call event.send for it.
    await end(wait, 'cancelled', 'stage_changed', null);
    return false;
  }

  /** Applies the message's current state to a wait (also right after a delivery wait is opened). */
  async function evaluateStatus(wait: Wait, status: string, at: number, error?: StatusError): Promise<void> {
    if (status === 'failed') {
      const mapped = error
        ? mapCloudApiError(error.code, error.message ?? error.title ?? '', error.error_data?.details)
        : new ActionError('provider_error', 'failed');
      if (await robotStillOnStage(wait))
        await end(wait, 'failed', mapped.code, failedOutcome(await zoned(wait), mapped, at));
      return;
    }
    if (wait.purpose !== 'delivery') return;
    const reached = wait.deliveryTarget === 'read' ? status === 'read' : status === 'delivered' || status === 'read';
    if (!reached || !(await robotStillOnStage(wait))) return;
    const message = await deps.messages.get(wait.memberId, wait.messageId);
    const final = status === 'read' ? 'read' : 'delivered';
    await end(
      wait,
      final,
      'status',
      deliveryOutcome(await zoned(wait), final, message?.deliveredAt ?? at, message?.readAt),
    );
  }

  /**
   * The durable timer fired. `checkStage: false` (last attempt, overdue sweep) ends it even when the
   * portal cannot be read: a robot already gone just ignores the callback.
   */
  async function onTimeout(memberId: string, waitId: string, options: { checkStage?: boolean } = {}): Promise<void> {
    const wait = await store.get(memberId, waitId);
    if (wait?.status !== 'open') {
      // Gone or ended without leaving the deadline set (e.g. expired): no drain should find it again.
      await store.forgetDeadline(memberId, waitId);
      return;
    }
    if (options.checkStage !== false && !(await robotStillOnStage(wait))) return;
    if (wait.purpose === 'delivery') {
      const message = wait.messageId ? await deps.messages.get(memberId, wait.messageId) : null;
      await end(
        wait,
        'timeout',
        'timeout',
        deliveryOutcome(await zoned(wait), 'timeout', message?.deliveredAt, message?.readAt),
      );
      return;
    }
    await end(wait, 'timeout', 'timeout', timeoutOutcome(await zoned(wait), clock.now()));
  }

  const reindex = (memberId: string) => deps.outbox.indexQueued(memberId, clock.now());
  const { sendReask } = deps;
  const takeReply = createReplyTaker({ store, clock, log, end, reindex, robotStillOnStage, sendReask, zoned });

  return {
    store,
    stages,
    takeReply,
    evaluateStatus,
    onTimeout,

    /** Stores a wait (before its message leaves) with its durable time-out. */
    open: (request: OpenWaitRequest) => openWait(deps, request),

    /** The id a call's wait of this purpose has (stable across job retries). */
    idFor: (call: { callKey: string }, purpose: 'reply' | 'delivery') => waitIdFor(deps.sign, call, purpose),

    /** A status webhook for a message with a wait: delivery targets, and failures end reply waits too. */
    async onStatus(line: Line, status: InboundStatus): Promise<void> {
      const wait = await store.findByMessage(line.memberId, status.id);
      if (wait?.status !== 'open' || wait.lineId !== line.id) return;
      await evaluateStatus(wait, status.status, timestampMs(status.timestamp, clock.now()), status.errors?.[0]);
    },

    /**
     * Links a sent message to its wait, with the customer's wa_id from the message record (so a
     * retried job still links it), then applies any status that beat the link (kept on the record).
     */
    async attach(
      memberId: string,
      waitId: string,
      messageId: string,
      baseReturn: Record<string, string>,
    ): Promise<void> {
      const known = await deps.messages.get(memberId, messageId);
      await store.attachMessage(memberId, waitId, messageId, baseReturn, known?.waId);
      if (!known || known.status === 'sent') return;
      const wait = await store.get(memberId, waitId);
      if (wait?.status !== 'open') return;
      const at = known.readAt ?? known.deliveredAt ?? known.failedAt ?? clock.now();
      await evaluateStatus(wait, known.status, at, known.errorCode ? { code: Number(known.errorCode) } : undefined);
    },

    /** A CRM update event: cancel robot waits whose document left their stage (activities keep waiting). */
    async onDocumentChanged(memberId: string, documentId: string): Promise<number> {
      const open = (await store.openForDocument(memberId, documentId)).filter(
        (w) => w.kind === 'robot' && w.stageAtStart,
      );
      if (!open.length) return 0;
      // The event says the document changed: read it fresh (the reply path re-checks anyway).
      const stage = await stages.read(memberId, documentId);
      let cancelled = 0;
      for (const wait of open) {
        if (stage !== wait.stageAtStart && (await end(wait, 'cancelled', 'stage_changed', null))) cancelled += 1;
      }
      return cancelled;
    },

    /** WhatsApp says the customer changed number: their open waits on this line follow (a reply from the new one resumes them). */
    async onNumberChanged(line: Line, from: string, to: string): Promise<number> {
      const moved = await store.moveCustomer(line.memberId, line.id, from, to);
      if (moved)
        log.info({ memberId: line.memberId, lineId: line.id, moved }, 'customer changed number: open waits moved');
      return moved;
    },

    /** An operator answered the customer in the open-line chat: ends waits that asked for it. */
    async onOperatorReply(memberId: string, lineId: string, phone: string): Promise<number> {
      let cancelled = 0;
      for (const wait of await store.openForPhone(memberId, lineId, phone)) {
        if (wait.purpose !== 'reply' || !wait.options.stopOnOperator) continue;
        if (await end(wait, 'cancelled', 'operator_replied', cancelledOutcome(await zoned(wait), 'operator_replied')))
          cancelled += 1;
      }
      return cancelled;
    },

    /** Manual cancel (CLI): the robot/activity goes on with status=cancelled. */
    async cancel(memberId: string, waitId: string, reason = 'manual'): Promise<boolean> {
      const wait = await store.get(memberId, waitId);
      return wait ? end(wait, 'cancelled', reason, cancelledOutcome(await zoned(wait), reason)) : false;
    },

    /**
     * bizproc.event.send said the workflow is gone: the wait counts as cancelled (not an error to
     * retry), and a reply it had taken goes on as an ordinary message — never lost.
     */
    async onWorkflowGone(memberId: string, callback: Callback): Promise<void> {
      if (!callback.waitId) return;
      const wait = await store.get(memberId, callback.waitId);
      await store.markWorkflowGone(memberId, callback.waitId);
      const { reply_message_id: id, reply_text: text } = callback.returnValues;
      if (!wait || !id) return;
      // Once per reply, even if the callback was sent (and refused) twice.
      if (!(await store.markReplyPassedOn(memberId, id))) return;
      const raw = JSON.stringify({ id, from: wait.phone, note: 'workflow_gone' });
      await deps.ordinary.append(memberId, {
        line: wait.lineId,
        from: wait.phone,
        name: '',
        id,
        type: 'text',
        text: text ?? '',
        raw,
      });
    },

    /** Ends a call's waits without a callback (its send failed: the robot already got the error). */
    async abandon(memberId: string, waitIds: string[], reason: string): Promise<void> {
      for (const waitId of waitIds) {
        const wait = await store.get(memberId, waitId);
        if (wait?.status === 'open') await end(wait, 'cancelled', reason, null);
      }
    },

    /**
     * Ends every wait whose deadline (the injected clock's now) has passed: the drain job runs this
     * about every second. Each wait ends at most once (the wait-end script), whoever else ends it.
     * A portal whose time-outs fail (stage unreadable) is tried again later; past the overdue grace
     * the maintenance sweep ends them without the stage.
     */
    async drainDeadlines(): Promise<number> {
      const now = clock.now();
      let due = 0;
      for (const memberId of await store.duePortals(now, DRAIN_PORTALS)) {
        const ids = await store.overdue(memberId, now, DRAIN_WAITS_PER_PORTAL);
        try {
          for (let i = 0; i < ids.length; i += DRAIN_PARALLEL) {
            await Promise.all(ids.slice(i, i + DRAIN_PARALLEL).map((waitId) => onTimeout(memberId, waitId)));
          }
          due += ids.length;
          await store.reindexDeadline(memberId);
        } catch (error) {
          log.warn({ memberId, err: error }, 'time-outs of a portal failed; tried again later');
          await store.postponeDeadline(memberId, now + DRAIN_RETRY_MS);
        }
      }
      return due;
    },

    /** Puts portals back in the deadline index from their own deadline sets (a crash between opening and indexing loses nothing). */
    async reindexDeadlines(memberIds: string[]): Promise<void> {
      for (const memberId of memberIds) await store.reindexDeadline(memberId);
    },

    /** Ends waits whose deadline passed long ago (their timer job failed for good): no open wait lives forever. */
    async sweepOverdue(memberId: string, graceMs: number): Promise<number> {
      const ids = await store.overdue(memberId, clock.now() - graceMs, 200);
      for (const waitId of ids) await onTimeout(memberId, waitId, { checkStage: false });
      return ids.length;
    },
  };
}

/** The wait service as the workers, the app and the CLI see it. */
export type WaitService = ReturnType<typeof createWaitService>;
