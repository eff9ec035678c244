import type { Clock } from '../lib/clock';
import { ActionError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { LineSender } from '../lines/line-sender';
import type { OutboundMessage, SentMessage, WhatsAppProvider } from '../providers/provider';
import type { CallInfo } from '../queues/call-info';
import type { Line } from '../store/line-store';
import type { MessageStore, SendStep } from '../store/message-store';

/** What sending one step of a call at most once (as far as the provider allows) uses. */
export interface SendOnceDeps {
  messages: Pick<MessageStore, 'sendStep' | 'claimSendStep' | 'releaseSendStep' | 'rememberStep' | 'recordSent'>;
  lineSender: Pick<LineSender, 'withSlot'>;
  clock: Clock;
}

/** One send of one step of a call. */
export interface SendOnceRequest {
  provider: WhatsAppProvider;
  line: Line;
  call: CallInfo;
  step: number;
  /** Resolves the recipient (E.164 digits): only when the step is really sent. */
  to: () => Promise<string>;
  content: OutboundMessage['content'];
  replyTo?: string;
  lang: 'ru' | 'en';
  /** Lines for the robot log. */
  notes: string[];
  log: Logger;
}

/** The robot-log line for a send an earlier attempt may already have made. */
export function maybeSentNote(lang: 'ru' | 'en', decision: 'resend' | 'skip'): string {
  if (decision === 'resend')
    return lang === 'ru'
      ? 'сообщение могло уйти до сбоя и отправлено повторно: клиент может получить его дважды'
      : 'the message may have left before a failure and was sent again: the customer may get it twice';
  return lang === 'ru'
    ? 'сообщение могло уйти до сбоя; повторно не отправлено, доставка неизвестна'
    : 'the message may have left before a failure; not sent again, delivery unknown';
}

/**
 * Sends one step of a call: a step with a recorded message id is never sent again, and the step is
 * marked in flight just before the provider call, so an attempt cut off between the call and
 * recording its answer (a crash, a time-out, a 5xx) leaves "maybe sent" behind. A retry that finds
 * it does what the action's `if_maybe_sent` says: send again and say so, or skip (message id '').
 * The duplicate window is the provider call itself: nothing narrower is possible without an
 * idempotency key at the provider, which the Cloud API does not take.
 */
export async function sendOnce(deps: SendOnceDeps, request: SendOnceRequest): Promise<SentMessage> {
  const { call, step, line, lang, notes } = request;
  const memberId = line.memberId;
  const policy = call.ifMaybeSent ?? 'resend';
  const skipped = (earlier: Extract<SendStep, { state: 'maybe' }>): SentMessage => {
    notes.push(maybeSentNote(lang, 'skip'));
    request.log.warn({ step, markedAt: earlier.markedAt }, 'send may have left before a failure: not sent again');
    return { providerMessageId: '' };
  };
  const before = await deps.messages.sendStep(memberId, call.callKey, step);
  if (before.state === 'sent') return { providerMessageId: before.messageId };
  if (before.state === 'maybe' && policy === 'skip') return skipped(before);
  const to = await request.to();
  const outcome = await deps.lineSender.withSlot(line, async () => {
    // Claimed inside the slot, right before the call: the mark brackets the provider call only.
    const claim = await deps.messages.claimSendStep(memberId, call.callKey, step, deps.clock.now());
    const { earlier } = claim;
    // Another attempt of this job got here first (a worker thought dead was only slow).
    if (earlier.state === 'sent') return { sent: { providerMessageId: earlier.messageId }, fresh: false };
    if (earlier.state === 'maybe') {
      if (policy === 'skip') return { sent: skipped(earlier), fresh: false };
      notes.push(maybeSentNote(lang, 'resend'));
      request.log.warn({ step, markedAt: earlier.markedAt }, 'send may have left before a failure: sending again');
    }
    let sent: SentMessage;
    try {
      sent = await request.provider.send({ to, content: request.content, replyTo: request.replyTo });
    } catch (error) {
      // Refused outright: nothing left, so a retry is a first send, not a "maybe sent".
      if (!(error instanceof ActionError && error.outcomeUnknown))
        await deps.messages.releaseSendStep(memberId, call.callKey, step, claim).catch((releaseError: unknown) => {
          request.log.warn({ step, err: releaseError }, 'could not take an in-flight mark back');
        });
      throw error;
    }
    // Recorded before anything else (even freeing the slot): this closes the duplicate window.
    await deps.messages.rememberStep(memberId, call.callKey, step, sent.providerMessageId);
    return { sent, fresh: true };
  });
  if (!outcome.fresh) return outcome.sent;
  const { sent } = outcome;
  await deps.messages.recordSent({
    memberId,
    lineId: line.id,
    phone: to,
    providerMessageId: sent.providerMessageId,
    callKey: call.callKey,
    workflowId: call.workflowId,
    sentAt: deps.clock.now(),
    showInChat: call.showInChat ? '1' : '0',
    waId: sent.waId,
  });
  return sent;
}
