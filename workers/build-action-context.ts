import type { ActionContext, CallInfo } from '../actions/define-action';
import type { Runtime } from '../runtime/create-runtime';
import type { Portal } from '../store/portal-store';
import type { Line } from '../store/line-store';
import { ActionError, RateLimitedError } from '../lib/errors/app-error';
import { normalizePhone } from '../lib/phone';
import { randomId } from '../lib/hash';
import { scripts } from '../redis/scripts';
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
export function buildActionContext(rt: Runtime, portal: Portal, line: Line, call: CallInfo, notes: string[]): ActionContext {
  const provider = rt.providerFor(line);
  const bitrix = rt.bitrix(portal.memberId);
  const region = portal.phoneRegion ?? rt.config.DEFAULT_PHONE_REGION;
  let recipient: string | null = null;
  const log = rt.log.child({ memberId: portal.memberId, code: call.code, callKey: call.callKey, line: line.id });

  const ctx: ActionContext = {
    portal,
    lang: portal.languageId === 'ru' ? 'ru' : 'en',
    bitrix,
    line,
    provider,
    call,
    log,
    clock: rt.clock,
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
      const windowKey = rt.keys.lineRateWindow(line.id);
      const slotId = randomId(8);
      const waitMs = await scripts.takeLineSlot(rt.redis, windowKey, line.ratePerSec ?? rt.config.LINE_RATE_PER_SEC, rt.lineWindowMs, slotId);
      if (waitMs > 0) throw new RateLimitedError(waitMs);
      try {
        const sent = await provider.send({ to, content, replyTo: options.replyTo });
        await rt.messages.rememberStep(portal.memberId, call.callKey, step, sent.providerMessageId);
        await rt.messages.recordSent({ memberId: portal.memberId, lineId: line.id, phone: to, providerMessageId: sent.providerMessageId, callKey: call.callKey, workflowId: call.workflowId, sentAt: rt.clock.now() });
        rt.metrics.sends.inc({ outcome: 'sent' });
        return sent;
      } catch (error) {
        rt.metrics.sends.inc({ outcome: error instanceof ActionError ? error.code : 'error' });
        throw error;
      } finally {
        await scripts.finishLineSlot(rt.redis, windowKey, slotId, rt.lineWindowMs);
      }
    },
  };
  return ctx;
}
