import type { ActionContext, CallInfo } from '../actions/define-action';
import type { Runtime } from '../runtime/create-runtime';
import { portalLanguage, type Portal } from '../store/portal-store';
import type { Line } from '../store/line-store';
import { ActionError } from '../lib/errors/app-error';
import { normalizePhone } from '../lib/phone';
import { sendOnLine, withLineSlot } from './send-on-line';
import type { WaitService } from '../waits/wait-service';
import { MAX_WAIT_MS, openWait, waitIdFor } from '../waits/open-wait';
import { findDocumentPhone } from '../bitrix/crm-recipient';
import { capabilityFor } from '../providers/provider';

/** Picks the line named by the property (id or name), else the portal's first line. */
export async function resolveLine(rt: Runtime, memberId: string, wanted: string | undefined): Promise<Line> {
  const all = await rt.lines.list(memberId);
  if (all.length === 0) throw new ActionError('no_line');
  if (!wanted) return all[0];
  const found = all.find((l) => l.id === wanted || l.name === wanted || l.phoneNumberId === wanted);
  if (!found) throw new ActionError('unknown_line', `"${wanted}"; connected: ${all.map((l) => l.id).join(', ')}`);
  return found;
}

/** Builds the per-job context: authenticated portal client, provider of the line, rate-limited idempotent send. */
export function buildActionContext(rt: Runtime, waits: WaitService, portal: Portal, line: Line, call: CallInfo, notes: string[]): ActionContext {
  const provider = rt.providerFor(line);
  const bitrix = rt.bitrix(portal.memberId);
  const region = portal.phoneRegion ?? rt.config.DEFAULT_PHONE_REGION;
  let recipient: string | null = null;
  const log = rt.log.child({ memberId: portal.memberId, code: call.code, callKey: call.callKey, line: line.id });

  const ctx: ActionContext = {
    portal,
    lang: portalLanguage(portal),
    bitrix,
    line,
    provider,
    call,
    log,
    clock: rt.clock,
    normalizePhone: (raw) => normalizePhone(raw, region)?.e164 ?? null,
    async recipient(explicit) {
      if (recipient) return recipient;
      if (explicit) {
        const phone = normalizePhone(explicit, region);
        if (!phone) throw new ActionError('invalid_phone', `"${explicit}"`);
        recipient = phone.digits;
        return recipient;
      }
      const found = await findDocumentPhone(bitrix, call.documentId, region);
      if (!found) throw new ActionError('no_recipient', call.documentId[2] ?? '');
      notes.push(ctx.lang === 'ru' ? `телефон взят из CRM (${found.note})` : `phone taken from CRM (${found.note})`);
      recipient = found.phone;
      return recipient;
    },
    async send(content, options = {}) {
      const step = options.step ?? 0;
      if (!provider.capabilities.has(capabilityFor(content))) throw new ActionError('unsupported_by_provider', `${provider.kind}: ${capabilityFor(content)}`);
      const already = await rt.messages.sentStep(portal.memberId, call.callKey, step);
      if (already) return { providerMessageId: already };
      const to = options.to ?? (await ctx.recipient(undefined));
      const sent = await sendOnLine(rt, line, provider, { to, content, replyTo: options.replyTo });
      await rt.messages.rememberStep(portal.memberId, call.callKey, step, sent.providerMessageId);
      await rt.messages.recordSent({ memberId: portal.memberId, lineId: line.id, phone: to, providerMessageId: sent.providerMessageId, callKey: call.callKey, workflowId: call.workflowId, sentAt: rt.clock.now(), showInChat: call.showInChat ? '1' : '0', waId: sent.waId });
      return sent;
    },
    async once(step, request) {
      const key = `op${step}`;
      const already = await rt.messages.sentStep(portal.memberId, call.callKey, key);
      if (already !== null) return already;
      const result = await withLineSlot(rt, line, request);
      await rt.messages.rememberStep(portal.memberId, call.callKey, key, result);
      return result;
    },
    waits: {
      async openReply(request) {
        if (request.timeoutMs > MAX_WAIT_MS) throw new ActionError('invalid_property', 'timeout: at most 30 days');
        if (call.useSubscription === false) {
          // Nobody would hear the answer, and an open wait would only take replies away from others.
          notes.push(ctx.lang === 'ru' ? 'робот не ждёт результата (use_subscription=N): ответ не ожидается' : 'the run does not wait for results (use_subscription=N): no reply wait');
          return { waitId: '', buttons: request.buttons.map((b, i) => ({ id: `b:${i + 1}`, title: b.title })) };
        }
        const phone = await ctx.recipient(undefined);
        const waitId = waitIdFor(rt, call, 'reply');
        const buttons = request.buttons.map((b, i) => ({ id: `w:${waitId}:${i + 1}`, title: b.title }));
        await openWait(rt, waits, { line, call, phone, lang: ctx.lang, purpose: 'reply', timeoutMs: request.timeoutMs, buttons, options: request.options });
        return { waitId, buttons };
      },
      attach: (waitId, messageId, baseReturn) => waits.attach(portal.memberId, waitId, messageId, baseReturn),
    },
  };
  return ctx;
}
