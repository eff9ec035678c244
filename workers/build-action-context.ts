import { findActionByCode } from '../actions';
import { sentReturnValues } from '../actions/common-properties';
import type { ActionContext } from '../actions/define-action';
import { invalidProperty } from '../actions/property-issues';
import { replyWaitProperties } from '../actions/reply-wait-properties';
import type { PortalClientFactory } from '../bitrix/portal-client';
import type { AddressPolicy } from '../lib/address-policy';
import type { Clock } from '../lib/clock';
import { ActionError } from '../lib/errors/app-error';
import { say, t } from '../lib/i18n/catalogue';
import { type Logger, lazyChild } from '../lib/logger';
import { normalizePhone, splitPhoneList } from '../lib/phone';
import type { LineSender } from '../lines/line-sender';
import type { LineTemplates } from '../lines/line-templates';
import { fallbackRefOf, type WindowFallbacks } from '../lines/window-fallbacks';
import { capabilityFor, type OutboundContent, type WhatsAppProvider } from '../providers/provider';
import type { CallInfo } from '../queues/call-info';
import { type CustomerWindowStore, decideWindow } from '../store/customer-window-store';
import type { Line } from '../store/line-store';
import type { MessageStore } from '../store/message-store';
import { type Portal, portalLanguage } from '../store/portal-store';
import { encodeButtonId, plainButtonId } from '../waits/button-id';
import { MAX_WAIT_MS } from '../waits/open-wait';
import type { WaitService } from '../waits/wait-service';
import type { WaitStore } from '../waits/wait-store';
import { type CallStepStore, callStepsOf } from './call-steps';
import { resolveRecipient } from './resolve-recipient';
import { type SendOnceDeps, sendOnce } from './send-once';
import { LATE_FALLBACK_STEP, WINDOW_REFUSED } from './window-refusal';

/** What an action's context is built from. */
export interface ActionContextDeps {
  bitrix: PortalClientFactory;
  providerFor: (line: Line) => WhatsAppProvider;
  lineSender: Pick<LineSender, 'withSlot'>;
  messages: CallStepStore & Pick<MessageStore, 'get'>;
  keys: SendOnceDeps['keys'];
  /** The settings page's list of recent sends (absent: not noted). */
  activity?: SendOnceDeps['activity'];
  waits: Pick<WaitService, 'open' | 'idFor' | 'attach'> & { store: Pick<WaitStore, 'get'> };
  windows: Pick<CustomerWindowStore, 'read' | 'readWithSteps' | 'noteWaId'>;
  templates: Pick<LineTemplates, 'find'>;
  windowFallbacks: Pick<WindowFallbacks, 'put'>;
  clock: Clock;
  log: Logger;
  /** Governs URLs the app fetches itself (portal file downloads and their redirects). */
  addresses: Pick<AddressPolicy, 'refusal' | 'dispatcher'>;
  /** Phone region when the portal sets none (numbers without a country code). */
  defaultPhoneRegion: string;
  /** "Also show in the open-line chat": shows a sent message in the customer's chat. */
  showInChat?: (line: Line, to: string, content: OutboundContent, providerMessageId: string) => Promise<unknown>;
}

/** The call's step that holds the recipient chosen on its first attempt (beside send steps and `op<n>`). */
const RECIPIENT_STEP = 'recipient';
/** The prefix of the call's steps that hold its decisions (`decision(key)`), beside send steps and `op<n>`. */
const DECISION_STEP = 'd:';

/** The action whose `timeout` property a reply wait's time-out came from (the shared reply-wait ones if it has none). */
function timeoutOwner(code: string): Parameters<typeof invalidProperty>[0] {
  const own = findActionByCode(code)?.action;
  return own && 'timeout' in own.properties ? own : { properties: replyWaitProperties };
}
/** Builds the per-job context: authenticated portal client, provider of the line, rate-limited idempotent send. */
export function buildActionContext(
  deps: ActionContextDeps,
  portal: Portal,
  line: Line,
  call: CallInfo,
  notes: string[],
): ActionContext {
  const provider = deps.providerFor(line);
  const bitrix = deps.bitrix(portal.memberId);
  const region = portal.phoneRegion ?? deps.defaultPhoneRegion;
  const { memberId } = portal;
  let recipient: string | null = null;
  /** Waits a send of this job linked to their message (`wait|message`): `waits.attach` has nothing left to do. */
  const linked = new Set<string>();
  const log = lazyChild(deps.log, { memberId, code: call.code, callKey: call.callKey, line: line.id });
  // The call's steps, read once for this attempt (call-steps.ts): every step read and write goes through it.
  const steps = callStepsOf(deps.messages, memberId, call.callKey);
  const sendDeps = { ...deps, messages: steps };

  const ctx: ActionContext = {
    portal,
    lang: portalLanguage(portal),
    bitrix,
    line,
    provider,
    call,
    log,
    clock: deps.clock,
    // Methods, not arrow properties: each arrow is named at creation under tsx, for every job (issue 10).
    urlRefusal(url) {
      return deps.addresses.refusal(url);
    },
    urlDispatcher: deps.addresses.dispatcher,
    normalizePhone(raw) {
      return normalizePhone(raw, region)?.e164 ?? null;
    },
    async recipient(explicit) {
      if (recipient) return recipient;
      // A number chosen (from several, or the CRM's) may differ on a retry (a provider check, an
      // edited contact): the call keeps its first choice, so later files never go to someone else.
      const chosen = !explicit || splitPhoneList(explicit).length > 1;
      const remembered = chosen ? await steps.sentStep(memberId, call.callKey, RECIPIENT_STEP) : null;
      if (remembered !== null) {
        recipient = remembered;
        return recipient;
      }
      const { lineSender } = deps;
      const { documentId } = call;
      recipient = await resolveRecipient({
        explicit,
        provider,
        line,
        lineSender,
        bitrix,
        documentId,
        region,
        lang: ctx.lang,
        notes,
      });
      if (chosen) await steps.rememberStep(memberId, call.callKey, RECIPIENT_STEP, recipient);
      return recipient;
    },
    async send(content, options = {}) {
      const needed = capabilityFor(content);
      if (!provider.capabilities.has(needed))
        throw new ActionError('unsupported_by_provider', `${provider.kind}: ${needed}`, {
          says: say('error.detail.unsupported', { provider: provider.kind, capability: needed }),
        });
      const { lang } = ctx;
      const to = recipientOf(ctx, options.to);
      const step = options.step ?? 0;
      const waitId = options.wait ?? '';
      const wait = waitId ? { waitId, baseReturn: sentReturnValues } : undefined;
      const replyTo = options.replyTo;
      const { lateFallback } = options;
      // Saved before anything leaves: a refusal that comes at once finds it (or finds the send unrecorded).
      const fallbackRef = lateFallback ? fallbackRefOf(call.callKey, step) : undefined;
      if (fallbackRef && lateFallback) {
        const fallback = {
          callKey: call.callKey,
          to: await to(),
          ifMaybeSent: call.ifMaybeSent,
          content: lateFallback,
        };
        await deps.windowFallbacks.put(memberId, fallbackRef, fallback);
      }
      const request = { provider, line, call, step, to, content, replyTo, lang, notes, log, wait, fallbackRef };
      const sent = await sendOnce(sendDeps, request);
      if (fallbackRef && sent.providerMessageId) await throwIfRefusedFirst(deps.messages, memberId, sent);
      // The customer's window is kept under the wa_id their messages carry: learn it when it differs.
      if (sent.waId && provider.capabilities.has('customer_window'))
        await deps.windows.noteWaId(memberId, line.id, await to(), sent.waId);
      if (call.showInChat && deps.showInChat && sent.providerMessageId) {
        // The customer has the message: a chat that cannot show it yet must not fail the robot.
        // The customer's chat is keyed by the WhatsApp id (a BR/MX number's wa_id differs from the
        // number dialled): from the send answer, or the message record when the step was sent before.
        const waId = sent.waId ?? (await deps.messages.get?.(memberId, sent.providerMessageId))?.waId ?? (await to());
        const shown = deps.showInChat(line, waId, content, sent.providerMessageId);
        await shown.catch((error: unknown) =>
          log.warn({ err: error }, 'could not show the message in the open-line chat'),
        );
      }
      if (!sent.linked) return sent;
      const id = sent.providerMessageId;
      // A status that beat the link (webhook first) is applied to the wait now.
      if (sent.linked !== 'sent') await deps.waits.attach(memberId, waitId, id, sentReturnValues(id));
      linked.add(`${waitId}|${id}|${JSON.stringify(sentReturnValues(id))}`);
      return sent;
    },
    async customerWindow() {
      const customer = await ctx.recipient(undefined);
      // The call's steps come along when this attempt has not read them yet: one round trip for both.
      const record = await steps.along(
        (portal, callKey) =>
          deps.windows
            .readWithSteps(portal, line.id, customer, callKey)
            .then(({ window, steps: fields }) => ({ value: window, steps: fields })),
        () => deps.windows.read(memberId, line.id, customer),
      );
      return decideWindow(record, deps.clock.now());
    },
    findTemplate(name, language) {
      return deps.templates.find(line, name, language);
    },
    remembered(step) {
      return steps.sentStep(memberId, call.callKey, `op${step}`);
    },
    decision(key) {
      return steps.sentStep(memberId, call.callKey, `${DECISION_STEP}${key}`);
    },
    async stepTaken(step, wait) {
      const found = await steps.sendStep(memberId, call.callKey, step, wait ?? '');
      if (found.state === 'new') return { state: 'new', messageId: '' };
      // The late fallback (window-refusal.ts) went: its own step, or the wait moved to it (sent_as).
      const late = await steps.sendStep(memberId, call.callKey, LATE_FALLBACK_STEP);
      if (late.state !== 'new') return { state: 'template', messageId: late.state === 'sent' ? late.messageId : '' };
      const held = wait ? await deps.waits.store.get(memberId, wait) : null;
      if (held?.baseReturn.sent_as === 'template') return { state: 'template', messageId: held.messageId };
      if (found.state === 'maybe') return { state: 'message', messageId: '' };
      // WhatsApp refused it for the window (a status that beat the decision): nothing was taken.
      const record = await deps.messages.get(memberId, found.messageId);
      const refused = record?.status === 'failed' && record.errorCode === WINDOW_REFUSED;
      return { state: refused ? 'refused' : 'message', messageId: found.messageId };
    },
    rememberDecision(key, value) {
      return steps.rememberStep(memberId, call.callKey, `${DECISION_STEP}${key}`, value);
    },
    async once(step, request) {
      const key = `op${step}`;
      const already = await steps.sentStep(memberId, call.callKey, key);
      if (already !== null) return already;
      const result = await deps.lineSender.withSlot(line, request);
      await steps.rememberStep(memberId, call.callKey, key, result);
      return result;
    },
    waits: {
      async openReply(request) {
        // Named as the calling action names its time-out (wait_message's is not the reply wait's).
        if (request.timeoutMs > MAX_WAIT_MS)
          throw invalidProperty(timeoutOwner(call.code), 'timeout', 'prop.at_most_30_days');
        if (call.useSubscription === false) {
          // Nobody would hear the answer, and an open wait would only take replies away from others.
          notes.push(t(ctx.lang, 'note.no_reply_wait'));
          return { waitId: '', buttons: request.buttons.map((b, i) => ({ id: plainButtonId(i + 1), title: b.title })) };
        }
        const phone = await ctx.recipient(undefined);
        const waitId = deps.waits.idFor(call, 'reply');
        const buttons = request.buttons.map((b, i) => ({ id: encodeButtonId(waitId, i + 1), title: b.title }));
        const { timeoutMs, options } = request;
        await deps.waits.open({
          line,
          call,
          phone,
          lang: ctx.lang,
          purpose: 'reply',
          timeoutMs,
          buttons,
          options,
        });
        return { waitId, buttons };
      },
      // No message id (a maybe-sent step skipped): the wait still takes its buttons' taps and typed answers.
      async attach(waitId, messageId, baseReturn) {
        if (!messageId || linked.has(`${waitId}|${messageId}|${JSON.stringify(baseReturn)}`)) return;
        await deps.waits.attach(memberId, waitId, messageId, baseReturn);
      },
    },
  };
  return ctx;
}

/** The send's recipient, resolved when asked: the one given, else the call's (an unnamed closure, see urlRefusal). */
function recipientOf(ctx: ActionContext, given: string | undefined): () => Promise<string> {
  return async () => given ?? (await ctx.recipient(undefined));
}

/**
 * A send with a saved late fallback whose window refusal (131047) was on the record before the send
 * was (send-record-5.lua left it to the sender, the wait unlinked): `window_closed`, so the caller
 * sends the template now. A retried job reads the same record and decides the same.
 */
async function throwIfRefusedFirst(
  messages: Pick<MessageStore, 'get'>,
  memberId: string,
  sent: { providerMessageId: string },
): Promise<void> {
  const known = await messages.get(memberId, sent.providerMessageId);
  if (known?.status !== 'failed' || known.errorCode !== '131047' || known.fallbackRef) return;
  throw new ActionError('window_closed', sent.providerMessageId, { says: say('window.neverWrote') });
}
