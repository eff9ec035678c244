import type { Clock } from '../lib/clock';
import { ActionError } from '../lib/errors/app-error';
import { type Lang, t } from '../lib/i18n/catalogue';
import type { Logger } from '../lib/logger';
import type { LineSender } from '../lines/line-sender';
import type { OutboundMessage, SentMessage, WhatsAppProvider } from '../providers/provider';
import type { CallInfo } from '../queues/call-info';
import type { RedisKeys } from '../redis/keys';
import type { ActivityLog, RecentSend, RecentSendNote } from '../store/activity-log';
import type { Line } from '../store/line-store';
import type { DeliveryStatus, MessageStore, SendStep } from '../store/message-store';
import { storedMessagePatch } from '../waits/stored-wait';

/** What sending one step of a call at most once (as far as the provider allows) uses. */
export interface SendOnceDeps {
  messages: Pick<MessageStore, 'sendStep' | 'claimSendStep' | 'releaseSendStep' | 'recordSend'>;
  lineSender: Pick<LineSender, 'withSlot'>;
  keys: Pick<RedisKeys, 'waitIndexPhoneField'>;
  clock: Clock;
  /** The settings page's list of recent sends (absent: not noted). */
  activity?: Pick<ActivityLog, 'sentNote'>;
}

/** The (already opened) wait a step's message belongs to: linked in the same step that records the send. */
export interface SendWaitLink {
  waitId: string;
  /** The return values the wait keeps for its outcome, from the message id. */
  baseReturn: (messageId: string) => Record<string, string>;
}

/** A send's answer; `linked`: the message's status when this send linked it to its wait. */
export type SendOnceResult = SentMessage & { linked?: DeliveryStatus };

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
  lang: Lang;
  /** Lines for the robot log. */
  notes: string[];
  log: Logger;
  wait?: SendWaitLink;
  /** The late-fallback template saved for this step (kept on the message record; send-record-5.lua). */
  fallbackRef?: string;
}

/** The robot-log line for a send an earlier attempt may already have made. */
export function maybeSentNote(lang: Lang, decision: 'resend' | 'skip'): string {
  return t(lang, decision === 'resend' ? 'note.maybe_sent_resent' : 'note.maybe_sent_skipped');
}

/**
 * Sends one step of a call: a step with a recorded message id is never sent again, and the step is
 * marked in flight just before the provider call, so an attempt cut off between the call and
 * recording its answer (a crash, a time-out, a 5xx) leaves "maybe sent" behind. A retry that finds
 * it does what the action's `if_maybe_sent` says: send again and say so, or skip (message id '').
 * The duplicate window is the provider call itself: nothing narrower is possible without an
 * idempotency key at the provider, which the Cloud API does not take.
 */
export async function sendOnce(deps: SendOnceDeps, request: SendOnceRequest): Promise<SendOnceResult> {
  const { call, step, line, lang, notes } = request;
  // The wait holds the step once it is recorded: every read of the step looks there too.
  const waitId = request.wait?.waitId ?? '';
  const memberId = line.memberId;
  const policy = call.ifMaybeSent ?? 'resend';
  const before = await deps.messages.sendStep(memberId, call.callKey, step, waitId);
  if (before.state === 'sent') return { providerMessageId: before.messageId };
  if (before.state === 'maybe' && policy === 'skip') return skipped(request, before);
  const to = await request.to();
  // Outside the in-flight mark: a look-up that fails (GupShup's template list) sent nothing.
  const content = request.provider.prepare ? await request.provider.prepare(request.content) : request.content;
  const outcome = await deps.lineSender.withSlot(line, async (answered, deadlineAt) => {
    // Claimed inside the slot, right before the call: the mark brackets the provider call only.
    const claim = await deps.messages.claimSendStep(memberId, call.callKey, step, deps.clock.now(), waitId);
    const { earlier } = claim;
    // Another attempt of this job got here first (a worker thought dead was only slow).
    if (earlier.state === 'sent') return { sent: { providerMessageId: earlier.messageId }, fresh: false };
    if (earlier.state === 'maybe') {
      if (policy === 'skip') return { sent: skipped(request, earlier), fresh: false };
      notes.push(maybeSentNote(lang, 'resend'));
      request.log.warn({ step, markedAt: earlier.markedAt }, 'send may have left before a failure: sending again');
    }
    let sent: SentMessage;
    try {
      sent = await request.provider.send({ to, content, replyTo: request.replyTo, deadlineAt });
    } catch (error) {
      // Refused outright: nothing left, so a retry is a first send, not a "maybe sent".
      if (!(error instanceof ActionError && error.outcomeUnknown))
        await deps.messages.releaseSendStep(memberId, call.callKey, step, claim).catch((releaseError: unknown) => {
          request.log.warn({ step, err: releaseError }, 'could not take an in-flight mark back');
        });
      throw error;
    }
    // Recorded before anything else (even freeing the slot): this closes the duplicate window. One
    // round trip: the step, the message record and the wait's link to it.
    const { wait } = request;
    const messageId = sent.providerMessageId;
    const sentAt = deps.clock.now();
    const recorded = deps.messages.recordSend({
      memberId,
      callKey: call.callKey,
      step,
      providerMessageId: messageId,
      phone: to,
      waId: sent.waId,
      sentAt,
      fallbackRef: request.fallbackRef,
      // The settings page's list of recent sends, in the same step.
      recent: recentNote(deps, request, { messageId, lineId: line.id, phone: to, at: sentAt }),
      // Only a page's list: a failed push must not fail a send that already left (as before it joined the record).
      // A method, not an arrow property: that would be named at creation under tsx, every send (issue 10).
      onRecentFailed(reason) {
        request.log.warn({ reason }, 'could not note the send for the settings page');
      },
      wait: wait && {
        id: wait.waitId,
        patchJson: JSON.stringify(storedMessagePatch(messageId, wait.baseReturn(messageId))),
        aliasField: sent.waId ? deps.keys.waitIndexPhoneField(line.id, sent.waId) : '',
      },
    });
    // The slot's window starts now, issued in the same turn as the record (first): one write and one
    // round trip on one Redis (redis/write-coalescing.ts); on a cluster the window's node is another,
    // in parallel.
    answered();
    const linked = await recorded;
    return { sent: wait ? { ...sent, linked } : sent, fresh: true };
  });
  return outcome.sent;
}

/** A step an earlier attempt may have sent, skipped (`if_maybe_sent: skip`): said in the robot log, no message id. */
function skipped(request: SendOnceRequest, earlier: Extract<SendStep, { state: 'maybe' }>): SentMessage {
  request.notes.push(maybeSentNote(request.lang, 'skip'));
  request.log.warn(
    { step: request.step, markedAt: earlier.markedAt },
    'send may have left before a failure: not sent again',
  );
  return { providerMessageId: '' };
}

/** The send's entry for the settings page's recent sends (none without an activity log, or for an entry it cannot hold). */
function recentNote(deps: SendOnceDeps, request: SendOnceRequest, sent: RecentSend): RecentSendNote | undefined {
  try {
    return deps.activity?.sentNote(sent);
  } catch (error) {
    // Only a page's list: what it cannot hold must not fail a send that already left.
    request.log.warn({ err: error }, 'could not note the send for the settings page');
    return undefined;
  }
}
