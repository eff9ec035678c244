import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { AddressPolicy } from '../lib/address-policy';
import type { Clock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import { errorText, isErrorCode } from '../lib/errors/error-codes';
import { digest } from '../lib/hash';
import { t } from '../lib/i18n/catalogue';
import type { Logger } from '../lib/logger';
import { bbcodeToWhatsApp } from '../openlines/bbcode';
import { echoIdOf } from '../openlines/chat-item-sender';
import { noteViaConnector, parseChatId } from '../openlines/customer-item';
import { operatorFileContent } from '../openlines/operator-files';
import type { OutboundContent, WhatsAppProvider } from '../providers/provider';
import type { CallInfo } from '../queues/call-info';
import { shouldRetry } from '../queues/job-retry';
import { type OpenLineOperatorJob, openLineOperatorJobSchema } from '../queues/job-schemas';
import type { Line, LineStore } from '../store/line-store';
import type { OpenLineOutbox } from '../store/open-line-outbox';
import type { OpenLineStore } from '../store/open-line-store';
import { type PortalStore, portalLanguage } from '../store/portal-store';
import type { WaitService } from '../waits/wait-service';
import { type OperatorOrderGateDeps, operatorMayGo, settleOperatorTurn } from './operator-order-gate';
import { type SendOnceDeps, sendOnce } from './send-once';

export interface OpenLineOperatorDeps extends SendOnceDeps, OperatorOrderGateDeps {
  portals: Pick<PortalStore, 'get'>;
  lines: Pick<LineStore, 'get'>;
  openLines: Pick<OpenLineStore, 'forOpenLine' | 'takeEcho' | 'rememberSent'>;
  openLineOutbox: Pick<OpenLineOutbox, 'enqueue'>;
  waits: Pick<WaitService, 'onOperatorReply'>;
  providerFor: (line: Line) => WhatsAppProvider;
  addresses: Pick<AddressPolicy, 'refusal' | 'dispatcher'>;
  clock: Clock;
  log: Logger;
}

/**
 * How long a message held behind an earlier one of its chat waits before it looks again (wall
 * clock: a BullMQ delay): as long as it has been held so far, from 0.5 s up to 10 s (doubling),
 * so a predecessor retrying for minutes does not cost a job cycle every 0.5 s. The earlier one,
 * once settled, promotes it at once.
 */
export function orderHoldMs(heldForMs: number): number {
  return Math.min(10_000, Math.max(500, heldForMs));
}

/**
 * An operator's message to WhatsApp: the customer's waits that stop on an operator answer end; the
 * text (BB-codes converted) and each file go out on the attached line, each step at most once; the
 * chat gets `status.delivery` with the provider's ids — or, when WhatsApp or the line refuses, a
 * visible note with the reason and what to do, never silence.
 */
export function createOpenLineOperatorProcessor(deps: OpenLineOperatorDeps) {
  /**
   * A chat's operator messages go one after the other in the order the portal sent them (their
   * number from the event door): a message whose predecessor is not settled yet waits (moved back
   * to delayed, no attempt used); each settles its number once it is done — sent, refused with its
   * note, or failed for good.
   */
  return async function processOpenLineOperator(job: Job<OpenLineOperatorJob>, token?: string): Promise<string> {
    const data = openLineOperatorJobSchema.parse(job.data);
    if (!(await operatorMayGo(deps, data))) {
      const now = Date.now();
      await job.moveToDelayed(now + orderHoldMs(now - job.timestamp), token);
      throw new DelayedError();
    }
    try {
      const outcome = await deliver(job, data);
      await settleOperatorTurn(deps, data);
      return outcome;
    } catch (error) {
      if (shouldRetry(error, job)) throw error;
      // Settled for good: BullMQ must not try it again (a plain Error with attempts left would be
      // retried, and could then go after the chat's next message).
      await settleOperatorTurn(deps, data);
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
  };

  async function deliver(job: Job<OpenLineOperatorJob>, data: OpenLineOperatorJob): Promise<string> {
    const { memberId, openLineId, chatId, portalMessageId } = data;
    const portal = await deps.portals.get(memberId);
    if (!portal) return 'portal_gone';
    const lang = portalLanguage(portal);
    const note = async (reason: string) => {
      const text = t(lang, 'openlines.notSent', { reason });
      await deps.openLineOutbox.enqueue(memberId, chatId, {
        kind: 'note',
        id: portalMessageId,
        portalChatId: data.portalChatId,
        text,
        ...noteViaConnector(openLineId, chatId, portal.userId),
      });
      return 'refused';
    };
    const attachment = await deps.openLines.forOpenLine(memberId, openLineId);
    if (!attachment) return note(t(lang, 'openlines.notSent.lineDetached'));
    const customer = parseChatId(chatId);
    // The chat names the WhatsApp line the customer wrote to: answered from that line only.
    if (customer && customer.lineId !== attachment.lineId) return note(t(lang, 'openlines.notSent.otherLine'));
    const line = customer ? await deps.lines.get(memberId, customer.lineId) : null;
    if (!customer || !line) return note(t(lang, 'openlines.notSent.lineMissing'));
    const text = bbcodeToWhatsApp(data.text);
    const confirm = (providerMessageIds: string[]) =>
      deps.openLineOutbox.enqueue(memberId, chatId, {
        kind: 'delivery',
        id: portalMessageId,
        openLineId,
        chatId,
        portalChatId: data.portalChatId,
        portalMessageId,
        providerMessageIds,
        date: Math.floor(deps.clock.now() / 1000),
      });
    // A business message the app itself posted as the employee: already on WhatsApp.
    const echo = await deps.openLines.takeEcho(memberId, echoIdOf(openLineId, chatId, data.operatorId, data.text));
    if (echo !== null) {
      await confirm([echo]);
      return 'echo';
    }
    // The operator answered: waits that asked to stop on that end (once, whatever the send does).
    const ended = await deps.waits.onOperatorReply(memberId, line.id, customer.waId);
    const call: CallInfo = {
      kind: 'api',
      code: 'open_line_operator',
      eventToken: portalMessageId,
      workflowId: '',
      documentId: [],
      callKey: digest(`olop|${memberId}|${openLineId}|${portalMessageId}`),
      timeoutDurationSec: 0,
    };
    const provider = deps.providerFor(line);
    const log = deps.log.child({ memberId, line: line.id, portalMessageId });
    const send = (step: number, content: OutboundContent) =>
      sendOnce(deps, { provider, line, call, step, to: async () => customer.waId, content, lang, notes: [], log });
    const ids: string[] = [];
    try {
      const contents: OutboundContent[] = text ? [{ type: 'text', body: text }] : [];
      for (const file of data.files) contents.push(await operatorFileContent(file, deps.addresses));
      if (contents.length === 0) return 'empty';
      for (const [step, content] of contents.entries()) {
        const { providerMessageId } = await send(step, content);
        ids.push(providerMessageId);
        // WhatsApp may refuse it later (a `failed` status, e.g. 131047): the note goes to this chat.
        if (providerMessageId)
          await deps.openLines.rememberSent(memberId, providerMessageId, {
            openLineId,
            chatId,
            portalChatId: data.portalChatId,
          });
      }
      await confirm(ids.filter(Boolean));
      return ended ? `sent; ended ${ended} wait(s)` : 'sent';
    } catch (error) {
      if (shouldRetry(error, job)) throw error;
      const code = error instanceof AppError ? error.code : 'provider_error';
      log.warn({ err: error, code, sent: ids.length }, 'operator message not sent to WhatsApp');
      // What did go out (the text before a refused file) is confirmed; the note tells the rest.
      if (ids.some(Boolean)) await confirm(ids.filter(Boolean));
      if (code === 'file_unavailable' || code === 'file_refused') return note(t(lang, 'openlines.notSent.noFile'));
      return note(isErrorCode(code) ? errorText(code, lang) : errorText('provider_error', lang));
    }
  }
}
