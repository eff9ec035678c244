import type { HookEmitter } from '../hooks/hook-emitter';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { LineHealthService } from '../lines/line-health';
import type { WindowFallbacks } from '../lines/window-fallbacks';
import type { AttachmentRead } from '../openlines/open-line-relay';
import {
  type InboundStatus,
  inboundMessageSchema,
  inboundStatusSchema,
  numberChange,
  replyText,
  timestampMs,
  webhookErrorSchema,
} from '../providers/inbound-message';
import type { WhatsAppProvider } from '../providers/provider';
import { isLastAttempt, type JobRun } from '../queues/job-retry';
import { type InboundJob, inboundJobSchema } from '../queues/job-schemas';
import type { CustomerWindowStore } from '../store/customer-window-store';
import type { OrdinaryMessage } from '../store/inbound-stream';
import type { Line, LineStore } from '../store/line-store';
import { deliveryStatusSchema, type MessageStore } from '../store/message-store';
import { namedWaitId } from '../waits/take-reply';
import type { WaitService } from '../waits/wait-service';
import { emitReceived, emitStatus, subscribed } from './inbound-events';
import { type FirstReadDeps, firstReadOf, readFirst, windowNote } from './inbound-first-read';
import { type OfferDeps, offerToWaits } from './offer-to-waits';

/** `lines.rememberedOwner` and `firstReads`: the message's first reads in one round trip (inbound-first-read.ts). */
export interface InboundDeps extends FirstReadDeps {
  lines: Pick<LineStore, 'findByPhoneNumberId' | 'markWebhook'> & FirstReadDeps['lines'];
  messages: Pick<MessageStore, 'applyStatus'>;
  /** The ordinary-message sink (it reads the line's open-line attachment as it keeps the message). */
  ordinary: {
    /** `subscribed`: the portal has outbound-event subscriptions, counted as the message was kept. */
    append(memberId: string, message: OrdinaryMessage): Promise<{ subscribed: boolean } | undefined>;
  };
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'webhookErrors'>;
  /** Moves the customer's open waits when WhatsApp says their number changed. */
  waits: Pick<WaitService, 'onNumberChanged'>;
  /** Offers a customer message to the waits (workers/offer-to-waits.ts says how). */
  takeReply?: OfferDeps['takeReply'];
  waitEndedBy?: OfferDeps['waitEndedBy'];
  /** A late window refusal (131047) of a message with a fallback template: sends it; true when handled. */
  onWindowRefused?: (line: Line, status: InboundStatus, attempt: { lastAttempt: boolean }) => Promise<boolean>;
  /** Saved late-fallback templates: dropped once their message is delivered or read. */
  windowFallbacks?: Pick<WindowFallbacks, 'drop'>;
  /** Lets delivery waits see a status. */
  onStatus?: (line: Line, status: InboundStatus) => Promise<void>;
  /** Messages a wait took also go to the open-line chat when the line says so. */
  openLineRelay?: {
    /** The line's open-line attachment, for a message a wait takes: read beside the first writes. */
    attachmentOf(memberId: string, lineId: string): AttachmentRead;
    taken(memberId: string, message: OrdinaryMessage, attached?: AttachmentRead): Promise<void>;
    /** A status of a message an operator sent from an open-line chat (a `failed` one becomes a note there). */
    onStatus(line: Line, status: InboundStatus): Promise<void>;
  };
  /** Outbound events (`message.received`, `message.status`): an O(1) append, once per event id. */
  events?: Pick<HookEmitter, 'emit' | 'subscribed'>;
  /** The customers' 24-hour windows: every message from a customer (a wait's answer too) restarts theirs. */
  windows?: Pick<CustomerWindowStore, 'note'>;
  /** The line's provider: only one with a window (`customer_window`) has its customers' times kept. */
  providerFor?: (line: Line) => Pick<WhatsAppProvider, 'capabilities'>;
  /** A template webhook for an account: its lines read their templates again. */
  onTemplatesChanged?: (wabaId: string) => Promise<number>;
  /** A line's provider said its templates changed (GupShup's template events): the line reads them again. */
  onLineTemplatesChanged?: (line: Line) => Promise<void>;
  /** Account webhooks (quality, limits, account state) update the line's health. */
  lineHealth?: Pick<LineHealthService, 'onAccountEvent'>;
}

/**
 * Handles one webhook event: statuses update the message; messages go to a wait or on as ordinary
 * messages (a changed number moves the customer's waits first); reported errors are logged and counted.
 */
export function createInboundProcessor(deps: InboundDeps) {
  /** An error WhatsApp reported outside any message (e.g. 130429, 131000 in `value.errors[]`). */
  async function reportError(data: InboundJob): Promise<string> {
    const parsed = webhookErrorSchema.safeParse(data.event);
    const code = parsed.success ? String(parsed.data.code) : 'unknown';
    const line = data.phoneNumberId ? await deps.lines.findByPhoneNumberId(data.phoneNumberId) : null;
    deps.metrics.webhookErrors.inc({ code });
    deps.log.warn(
      {
        phoneNumberId: data.phoneNumberId,
        memberId: line?.memberId,
        line: line?.id,
        code,
        title: parsed.data?.title ?? parsed.data?.message,
        details: parsed.data?.error_data?.details,
      },
      'WhatsApp reported an error in a webhook',
    );
    return `webhook_error:${code}`;
  }

  /** `user_changed_number`: the open waits follow the customer to the new number (the notice still goes on). */
  async function followNumberChange(
    job: JobRun<unknown>,
    line: Line,
    messageId: string,
    change: { from: string; to: string },
  ): Promise<void> {
    try {
      await deps.waits.onNumberChanged(line, change.from, change.to);
    } catch (error) {
      if (!isLastAttempt(job)) throw error;
      deps.log.error({ err: error, messageId }, 'could not move the waits to the new number');
    }
  }

  return async function processInbound(job: JobRun<unknown>): Promise<string> {
    // The event's seen marker is its run's claim, written before this (workers/inbound-batch.ts).
    return handle(job, inboundJobSchema.parse(job.data));
  };

  async function handle(job: JobRun<unknown>, data: InboundJob): Promise<string> {
    if (data.kind === 'error') return reportError(data);
    if (data.kind === 'template') {
      const wabaId = typeof data.event.waba_id === 'string' ? data.event.waba_id : '';
      if (wabaId) return `templates_refreshed:${(await deps.onTemplatesChanged?.(wabaId)) ?? 0}`;
      const line = data.phoneNumberId ? await deps.lines.findByPhoneNumberId(data.phoneNumberId) : null;
      if (line) await deps.onLineTemplatesChanged?.(line);
      return `templates_refreshed:${line ? 1 : 0}`;
    }
    if (data.kind === 'account')
      return deps.lineHealth ? deps.lineHealth.onAccountEvent(data.displayPhoneNumber, data.event) : 'account_ignored';
    // A message is parsed ahead (safely: a bad one fails below, where it did) for the wait a tap names.
    const early = data.kind === 'message' ? inboundMessageSchema.safeParse(data.event) : undefined;
    const named = early?.success ? namedWaitId(early.data) : undefined;
    const noteFor = (l: Line) => (early?.success ? windowNote(deps, l, early.data, data.receivedAt) : undefined);
    const first = data.kind === 'message' ? await readFirst(deps, data.phoneNumberId, named, noteFor) : undefined;
    // Under the route the first read used (not a second lookup, lapsed meanwhile): its note is this line's.
    const line = await deps.lines.findByPhoneNumberId(data.phoneNumberId, {
      versionOf: first?.versionOf,
      route: first?.owner,
    });
    if (!line) {
      deps.log.warn({ phoneNumberId: data.phoneNumberId }, 'webhook for a number that no portal has connected');
      return 'unknown_line';
    }
    // checkStatus shows when the line last heard from the provider.
    const marked = deps.lines.markWebhook(line.memberId, line.id, data.receivedAt);
    // Awaited below with the other writes; a parse error in between must not leave its failure unhandled.
    marked.catch(() => undefined);
    if (data.kind === 'status') {
      await marked;
      const status = inboundStatusSchema.parse(data.event);
      const known = deliveryStatusSchema.safeParse(status.status);
      if (!known.success) {
        deps.log.info({ status: status.status, id: status.id }, 'status kept in the log only');
        return 'status_unknown';
      }
      const errorCode = status.errors?.[0]?.code;
      const at = timestampMs(status.timestamp, deps.clock.now());
      const record = await deps.messages.applyStatus(
        line.memberId,
        status.id,
        known.data,
        at,
        errorCode === undefined ? undefined : String(errorCode),
      );
      // Asked once the status is stored (beside the drop), so a subscription added before that hears of it.
      const tell = subscribed(deps, line);
      // Delivered or read is never refused for the window after all: the saved template is not needed.
      if (record?.fallbackRef && (known.data === 'delivered' || known.data === 'read'))
        await deps.windowFallbacks?.drop(line.memberId, record.fallbackRef);
      if (await tell) await emitStatus(deps, line, status, known.data, at);
      // A refusal the robot chose a template for moves its wait to the template instead of ending it.
      const lastAttempt = isLastAttempt(job);
      if (!(await deps.onWindowRefused?.(line, status, { lastAttempt }))) await deps.onStatus?.(line, status);
      await deps.openLineRelay?.onStatus(line, status);
      return `status_${known.data}`;
    }
    const message = early?.success ? early.data : inboundMessageSchema.parse(data.event);
    // The first read counts for this line only when its route named it (a stale one: each read anew).
    const read = firstReadOf(first, line);
    // Written by the first read when the line was the one this process knew (see readFirst), else now.
    const note = read?.noted ? undefined : windowNote(deps, line, message, data.receivedAt);
    const noted = note && deps.windows?.note(line.memberId, line.id, note.customer, note.atMs, note.nowMs);
    // Events nobody would hear are not built: whether anybody subscribes is read with the version
    // (the first read) or beside the writes; message.received goes out once the answer is in.
    const tell = message.type !== 'system' ? subscribed(deps, line, read?.subscriptions) : Promise.resolve(false);
    // Before the waits: a retried job emits it again (once per id, asking anew), so it is told even if
    // the worker dies after a wait took the message.
    const emitted = tell.then((yes) => (yes ? emitReceived(deps, line, message, data) : undefined));
    // Independent of each other: issued together (an emit one round trip after the others).
    const firstWrites = Promise.all([marked, noted, emitted]);
    // Should a wait take the message, its line's open-line attachment is read: in the first read or
    // beside these writes, not one more round trip after the wait ended (an ordinary message's is
    // read as it is kept). Parsed in a promise: a bad record fails where the read's failure would.
    const attached = !deps.openLineRelay
      ? undefined
      : read
        ? Promise.resolve(read).then((r) => r.attachment())
        : deps.openLineRelay.attachmentOf(line.memberId, line.id);
    attached?.catch(() => undefined);
    const change = numberChange(message);
    // A system notice (number changed…) answers no wait. The waits are read beside the first writes
    // (one round trip less) but none is touched before they are done: a crash in between loses nothing.
    const ready = firstWrites.then(() => undefined);
    ready.catch(() => undefined);
    // The answer on subscriptions is the wait end's hint too (without events wired, no answer: its own);
    // when the end finds subscriptions this read did not (added since), message.received goes first.
    const events = deps.events
      ? { subscribed: tell, lateSubscriber: () => emitReceived(deps, line, message, data) }
      : { subscribed: undefined };
    // The portal's time zone (a reply's answer time) is then read under the version the line was
    // checked under: as of this job's start, as a read then would have found it (no second GET).
    const portalVersion = read?.versionOf?.version;
    const namedWait = read?.waitId && read.openWait ? { waitId: read.waitId, stored: read.openWait } : undefined;
    const offered =
      !change && message.type !== 'system'
        ? offerToWaits(deps, job, line, message, ready, { ...events, portalVersion, namedWait })
        : null;
    offered?.catch(() => undefined);
    try {
      await firstWrites;
    } catch (error) {
      // The offer waits for these writes: let it finish, so nothing of this job runs on after it failed.
      await Promise.allSettled([offered]);
      throw error;
    }
    if (change) await followNumberChange(job, line, message.id, change);
    const ordinary: OrdinaryMessage = {
      line: line.id,
      from: message.from ?? message.from_user_id ?? '',
      name: data.contactName ?? '',
      id: message.id,
      type: message.type,
      text: message.type === 'system' ? (message.system?.body ?? '') : replyText(message),
      raw: JSON.stringify(message),
      receivedAt: data.receivedAt,
      ...(data.chatSeq === undefined ? {} : { seq: data.chatSeq }),
    };
    if (await offered) {
      await deps.openLineRelay?.taken(line.memberId, ordinary, attached);
      return 'taken_by_wait';
    }
    // Ordinary inbound message: on to the open-line chat (and the stream); nothing is dropped.
    const kept = await deps.ordinary.append(line.memberId, ordinary);
    // A subscription added since the job read none hears of the message after all (counted as it was kept).
    if (kept?.subscribed && message.type !== 'system' && !(await tell)) await emitReceived(deps, line, message, data);
    return change ? 'number_changed' : 'ordinary';
  }
}
