import type { z } from 'zod';
import { ActionError, AppError } from '../../lib/errors/app-error';
import type { LineHealthService } from '../../lines/line-health';
import type { LineSender } from '../../lines/line-sender';
import { mapCloudApiError } from '../../providers/cloud-api/cloud-api-errors';
import type { WhatsAppProvider } from '../../providers/provider';
import type { ApiMessageStore } from '../../store/api-message-store';
import type { HealthChange } from '../../store/line-health-store';
import type { Line, LineStore } from '../../store/line-store';
import type { MessageStore, StoredMessage } from '../../store/message-store';
import { errorAnswerOf, type Lang, textOf } from './api-answers';
import type { checkPhoneResult, checkStatusResult, messageStatusResult } from './api-schemas';

export interface ApiCheckDeps {
  /** Each status read is kept as the line's health (a drop since the last read is logged and counted). */
  lineHealth?: Pick<LineHealthService, 'fromStatus' | 'get'>;
  providerFor: (line: Line) => WhatsAppProvider;
  lineSender: Pick<LineSender, 'withSlot'>;
  lines: Pick<LineStore, 'lastWebhookAt'>;
  messages: Pick<MessageStore, 'get'>;
  apiMessages: Pick<ApiMessageStore, 'get' | 'findByProviderId'>;
}

const iso = (ms: number | undefined) => (ms === undefined || ms <= 0 ? undefined : new Date(ms).toISOString());

/**
 * Has `phone` WhatsApp: Green-API asks the gateway (checkWhatsapp, inside the line's limit); the
 * Cloud API has no documented way to ask, so the answer there is `unknown`.
 */
export async function checkPhone(
  deps: ApiCheckDeps,
  line: Line,
  phone: string,
): Promise<z.infer<typeof checkPhoneResult>> {
  const provider = deps.providerFor(line);
  const check = provider.checkNumber?.bind(provider);
  if (!check || !provider.capabilities.has('check_number')) return { exists: 'unknown', normalized: phone };
  const { exists } = await deps.lineSender.withSlot(line, () => check(phone));
  return { exists: exists ? 'yes' : 'no', normalized: phone };
}

/** The line's state as its provider reports it, and when its last webhook came; a provider refusal is `connected: false` with the error. */
export async function checkStatus(
  deps: ApiCheckDeps,
  line: Line,
  lang: Lang,
): Promise<z.infer<typeof checkStatusResult>> {
  const lastWebhookAt = await deps.lines.lastWebhookAt(line.memberId, line.id);
  const base = {
    line: { id: line.id, name: line.name },
    provider: line.provider,
    last_webhook_at: iso(lastWebhookAt) ?? null,
  };
  const change = (c: HealthChange | undefined) =>
    c ? { health_change: { kind: c.kind, from: c.from, to: c.to, at: new Date(c.at).toISOString() } } : {};
  try {
    const status = await deps.providerFor(line).lineStatus();
    const health =
      line.provider === 'cloud' ? await deps.lineHealth?.fromStatus(line, status, 'check_status') : undefined;
    return {
      ...base,
      connected: status.connected,
      state: status.state,
      phone_number: status.displayPhoneNumber,
      name: status.verifiedName,
      quality_rating: status.qualityRating,
      messaging_limit: status.messagingLimit,
      throughput: status.throughput,
      ...change(health?.lastChange),
    };
  } catch (error) {
    // The provider answered with a refusal (a revoked token, a logged-out instance): that is the state.
    if (!(error instanceof ActionError)) throw error;
    const known = await deps.lineHealth?.get(line);
    return { ...base, connected: false, error: errorAnswerOf(error, lang).body, ...change(known?.lastChange) };
  }
}

/** A failed status's error: Graph's code mapped to ours with its advice (GupShup's are stored as their Meta twin; Green-API: undeliverable). */
function failure(message: StoredMessage, line: Line, lang: Lang) {
  const providerCode = message.errorCode;
  const numeric = providerCode !== undefined && /^\d+$/.test(providerCode) ? Number(providerCode) : undefined;
  const mapped =
    line.provider !== 'green-api' && numeric !== undefined
      ? mapCloudApiError(numeric, '')
      : new ActionError('undeliverable');
  return {
    code: mapped.code,
    message: textOf(mapped.code, lang, mapped.message),
    ...(providerCode ? { provider_code: providerCode } : {}),
  };
}

/** The delivery status of a message of this line, by the API's id or the WhatsApp id. */
export async function checkMessageStatus(
  deps: ApiCheckDeps,
  line: Line,
  messageId: string,
  lang: Lang,
): Promise<z.infer<typeof messageStatusResult>> {
  const notFound = () =>
    new AppError('message_not_found', `no message ${messageId} on this line`, { kind: 'not_found' });
  const requested =
    (await deps.apiMessages.get(line.memberId, messageId)) ??
    (await deps.apiMessages.findByProviderId(line.memberId, messageId));
  if (requested && requested.lineId !== line.id) throw notFound();
  const providerId = requested ? requested.providerMessageId : messageId;
  const stored = providerId ? await deps.messages.get(line.memberId, providerId) : null;
  if (!requested && (!stored || stored.lineId !== line.id)) throw notFound();
  const ours = requested?.id ?? '';
  if (!stored) {
    // Not sent (yet): queued, or failed before WhatsApp took it.
    if (requested?.state === 'failed') {
      const code = requested.errorCode ?? 'internal_error';
      return {
        message_id: ours,
        status: 'failed',
        failed_at: iso(requested.settledAt),
        error: { code, message: requested.errorText || textOf(code, lang, code) },
      };
    }
    return { message_id: ours, status: requested?.state === 'sent' ? 'sent' : 'queued' };
  }
  return {
    message_id: ours,
    wa_message_id: stored.providerMessageId,
    status: stored.status,
    sent_at: iso(stored.sentAt),
    delivered_at: iso(stored.deliveredAt),
    read_at: iso(stored.readAt),
    failed_at: iso(stored.failedAt),
    ...(stored.status === 'failed' ? { error: failure(stored, line, lang) } : {}),
  };
}
