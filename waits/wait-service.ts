import type { Runtime } from '../runtime/create-runtime';
import type { Line } from '../store/line-store';
import type { Callback } from '../bitrix/callback-outbox';
import { mapCloudApiError } from '../providers/cloud-api/cloud-api-errors';
import { ActionError } from '../lib/errors/app-error';
import { inboundMessageSchema, replyText, timestampMs, type InboundMessage, type InboundStatus } from '../workers/inbound-message';
import { sendOnLineWaiting } from '../workers/send-on-line';
import { WaitStore, type WaitEnd, type WaitOutcome } from './wait-store';
import { buttonListSchema, replyOptionsSchema, type Wait } from './wait-schema';
import { matchReply, type ReplyInput } from './match-reply';
import { StageReader } from './stage-reader';
import { appendOrdinaryMessage } from '../store/inbound-stream';
import { answeredOutcome, cancelledOutcome, deliveryOutcome, failedOutcome, timeoutOutcome } from './wait-outcomes';

const BUTTON_ID = /^w:([A-Za-z0-9_-]+):(\d+)$/;

/** Waits end exactly once: by reply, delivery status, time-out or cancellation; robots also by a stage move. */
export function createWaitService(rt: Runtime) {
  const store = new WaitStore(rt.redis, rt.keys);
  const stages = new StageReader(rt.bitrix);
  const log = rt.log.child({ component: 'waits' });

  /**
   * Claims the wait; on success makes the callback due at once. True when this call ended it —
   * or, for a reply, when that reply had already ended a wait (its job ran twice): taken either way.
   */
  async function end(wait: Wait, status: WaitEnd, reason: string, outcome: WaitOutcome | null, replyMessageId = ''): Promise<boolean> {
    const result = await store.end(wait, status, reason, outcome, rt.clock.now(), replyMessageId);
    if (result === 'reply_taken') return true;
    if (result !== 'claimed') return false;
    if (outcome) await rt.outbox.markDue(wait.memberId, rt.clock.now());
    rt.metrics.waits.inc({ outcome: status, reason });
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

  async function resolveReply(wait: Wait, match: { answer: string; answerIndex: number; answerId: string }, message: InboundMessage, note: string): Promise<boolean> {
    if (!(await robotStillOnStage(wait))) return false;
    const at = timestampMs(message.timestamp, rt.clock.now());
    return end(wait, 'answered', 'reply', answeredOutcome(wait, match, replyText(message), message.id, at, note), message.id);
  }

  const optionsOf = (wait: Wait) => replyOptionsSchema.parse(JSON.parse(wait.options));
  /** Does this message answer that wait (by its buttons and options)? */
  const matchFor = (wait: Wait, input: ReplyInput) => matchReply(buttonListSchema.parse(JSON.parse(wait.buttons)), optionsOf(wait), input);

  /** An answer that fits no option: re-ask (button and keyword modes), then ignore or end, as configured. */
  async function offScript(wait: Wait, line: Line, message: InboundMessage): Promise<boolean> {
    const options = optionsOf(wait);
    if (options.mode !== 'button' && options.mode !== 'keywords') return false;
    if (!(await robotStillOnStage(wait))) return false;
    const reask = await store.countReask(wait.memberId, wait.id, options.reaskMax, message.id);
    if (reask !== 'none') {
      const text = options.reaskText || (wait.lang === 'ru' ? 'Пожалуйста, выберите один из вариантов' : 'Please choose one of the options');
      await sendOnLineWaiting(rt, line, rt.providerFor(line), { to: wait.phone, content: { type: 'text', body: text }, replyTo: wait.messageId || undefined });
      log.info({ waitId: wait.id, messageId: message.id }, 'off-script answer: asked again');
      return false;
    }
    if (options.afterReask === 'end') {
      return resolveReply(wait, { answer: '', answerIndex: 0, answerId: '' }, message, wait.lang === 'ru' ? 'ответ вне вариантов' : 'off-script answer');
    }
    return false;
  }


  return {
    store,
    stages,

    /**
     * Offers an inbound message to the waits of the line it came in on (never another portal's):
     * (a) a button/list/payload id naming a wait, (b) context.id = the wait's message,
     * (c) text matching a button/keyword/regex of the newest open wait, (d) "any reply" waits.
     */
    async takeReply(line: Line, raw: InboundMessage): Promise<boolean> {
      const message = inboundMessageSchema.parse(raw);
      const phone = message.from ?? '';
      const onThisLine = (w: Wait | null): w is Wait => w !== null && w.status === 'open' && w.purpose === 'reply' && w.lineId === line.id && (!phone || w.phone === phone || w.waId === phone);
      const choiceId = message.interactive?.button_reply?.id ?? message.interactive?.list_reply?.id ?? message.button?.payload;
      const input = { choiceId, text: replyText(message), type: message.type };
      const contextId = message.context?.id;
      // (a) A tap answers the message it belongs to, or nothing: an old button never resumes another robot.
      if (choiceId) {
        const named = BUTTON_ID.exec(choiceId);
        const wait = named ? await store.get(line.memberId, named[1]) : contextId ? await store.findByMessage(line.memberId, contextId) : null;
        if (!onThisLine(wait)) return false;
        const match = matchFor(wait, input);
        return match.matched ? resolveReply(wait, match, message, '') : false;
      }
      // (b) A reply quoting a message that asked for a reply goes to that wait, or nowhere
      // (quoting a message that only waited for its delivery says nothing about any question).
      const quoted = contextId ? await store.findByMessage(line.memberId, contextId) : null;
      if (quoted && quoted.purpose === 'reply') {
        if (!onThisLine(quoted)) return false;
        const match = matchFor(quoted, input);
        return match.matched ? resolveReply(quoted, match, message, '') : offScript(quoted, line, message);
      }
      // (c, d) Text: the newest open wait of this (line, phone) whose options it fits.
      if (!phone) return false;
      const open = (await store.openForPhone(line.memberId, line.id, phone)).filter((w) => w.purpose === 'reply');
      for (const wait of open) {
        const match = matchFor(wait, input);
        if (!match.matched) continue;
        const note = open.length > 1 ? (wait.lang === 'ru' ? `текстовый ответ отнесён к самому новому из ${open.length} ожиданий` : `text reply taken by the newest of ${open.length} open waits`) : '';
        // Ended meanwhile (stage moved, a race): the next open wait may still take it.
        if (await resolveReply(wait, match, message, note)) return true;
      }
      return open.length ? offScript(open[0], line, message) : false;
    },

    /** A status webhook for a message with a wait: delivery targets, and failures end reply waits too. */
    async onStatus(line: Line, status: InboundStatus): Promise<void> {
      const wait = await store.findByMessage(line.memberId, status.id);
      if (!wait || wait.status !== 'open' || wait.lineId !== line.id) return;
      const at = timestampMs(status.timestamp, rt.clock.now());
      await this.evaluateStatus(wait, status.status, at, status.errors?.[0]);
    },

    /**
     * Links a sent message to its wait, with the customer's wa_id from the message record (so a
     * retried job still links it), then applies any status that beat the link (kept on the record).
     */
    async attach(memberId: string, waitId: string, messageId: string, baseReturn: Record<string, string>): Promise<void> {
      const known = await rt.messages.get(memberId, messageId);
      await store.attachMessage(memberId, waitId, messageId, baseReturn, known?.waId);
      if (!known || known.status === 'sent') return;
      const wait = await store.get(memberId, waitId);
      if (!wait || wait.status !== 'open') return;
      const at = known.readAt ?? known.deliveredAt ?? known.failedAt ?? rt.clock.now();
      await this.evaluateStatus(wait, known.status, at, known.errorCode ? { code: Number(known.errorCode) } : undefined);
    },

    /** Applies the message's current state to a wait (also right after a delivery wait is opened). */
    async evaluateStatus(wait: Wait, status: string, at: number, error?: { code: number; title?: string; message?: string; error_data?: { details?: string } }): Promise<void> {
      if (status === 'failed') {
        const mapped = error ? mapCloudApiError(error.code, error.message ?? error.title ?? '', error.error_data?.details) : new ActionError('provider_error', 'failed');
        if (await robotStillOnStage(wait)) await end(wait, 'failed', mapped.code, failedOutcome(wait, mapped, at));
        return;
      }
      if (wait.purpose !== 'delivery') return;
      const message = await rt.messages.get(wait.memberId, wait.messageId);
      const reached = wait.deliveryTarget === 'read' ? status === 'read' : status === 'delivered' || status === 'read';
      if (!reached) return;
      if (!(await robotStillOnStage(wait))) return;
      const final = status === 'read' ? 'read' : 'delivered';
      await end(wait, final, 'status', deliveryOutcome(wait, final, message?.deliveredAt ?? at, message?.readAt));
    },

    /**
     * The durable timer fired. `checkStage: false` (last attempt, overdue sweep) ends it even when the
     * portal cannot be read: a robot already gone just ignores the callback.
     */
    async onTimeout(memberId: string, waitId: string, options: { checkStage?: boolean } = {}): Promise<void> {
      const wait = await store.get(memberId, waitId);
      if (!wait || wait.status !== 'open') return;
      if (options.checkStage !== false && !(await robotStillOnStage(wait))) return;
      if (wait.purpose === 'delivery') {
        const message = wait.messageId ? await rt.messages.get(memberId, wait.messageId) : null;
        await end(wait, 'timeout', 'timeout', { ...deliveryOutcome(wait, 'timeout', message?.deliveredAt, message?.readAt) });
        return;
      }
      await end(wait, 'timeout', 'timeout', timeoutOutcome(wait, rt.clock.now()));
    },

    /** A CRM update event: cancel robot waits whose document left their stage (activities keep waiting). */
    async onDocumentChanged(memberId: string, documentId: string): Promise<number> {
      const open = (await store.openForDocument(memberId, documentId)).filter((w) => w.kind === 'robot' && w.stageAtStart);
      if (!open.length) return 0;
      // The event says the document changed: read it fresh (the reply path re-checks anyway).
      const stage = await stages.read(memberId, documentId);
      let cancelled = 0;
      for (const wait of open) if (stage !== wait.stageAtStart && (await end(wait, 'cancelled', 'stage_changed', null))) cancelled += 1;
      return cancelled;
    },

    /** An operator answered the customer in the open-line chat: ends waits that asked for it. */
    async onOperatorReply(memberId: string, lineId: string, phone: string): Promise<number> {
      let cancelled = 0;
      for (const wait of await store.openForPhone(memberId, lineId, phone)) {
        if (wait.purpose === 'reply' && optionsOf(wait).stopOnOperator && (await end(wait, 'cancelled', 'operator_replied', cancelledOutcome(wait, wait.lang === 'ru' ? 'ответил оператор' : 'an operator replied')))) cancelled += 1;
      }
      return cancelled;
    },

    /** Manual cancel (CLI): the robot/activity goes on with status=cancelled. */
    async cancel(memberId: string, waitId: string, reason = 'manual'): Promise<boolean> {
      const wait = await store.get(memberId, waitId);
      return wait ? end(wait, 'cancelled', reason, cancelledOutcome(wait, reason)) : false;
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
      // Once per reply, even if the callback was sent (and refused) twice.
      const first = id ? (await rt.redis.set(rt.keys.replyPassedOn(memberId, id), '1', 'EX', 7 * 86400, 'NX')) === 'OK' : false;
      if (wait && id && first) {
        await appendOrdinaryMessage(rt.redis, rt.keys, memberId, { line: wait.lineId, from: wait.phone, name: '', id, type: 'text', text: text ?? '', raw: JSON.stringify({ id, from: wait.phone, note: 'workflow_gone' }) });
      }
    },

    /** Ends a call's waits without a callback (its send failed: the robot already got the error). */
    async abandon(memberId: string, waitIds: string[], reason: string): Promise<void> {
      for (const waitId of waitIds) {
        const wait = await store.get(memberId, waitId);
        if (wait?.status === 'open') await end(wait, 'cancelled', reason, null);
      }
    },

    /** Ends waits whose deadline passed long ago (their timer job failed for good): no open wait lives forever. */
    async sweepOverdue(memberId: string, graceMs: number): Promise<number> {
      const ids = await rt.redis.zrangebyscore(rt.keys.openWaits(memberId), '-inf', rt.clock.now() - graceMs, 'LIMIT', 0, 200);
      for (const waitId of ids) await this.onTimeout(memberId, waitId, { checkStage: false });
      return ids.length;
    },
  };
}

export type WaitService = ReturnType<typeof createWaitService>;
