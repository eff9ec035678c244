import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { ActionError } from '../../lib/errors/app-error';
import { fetchFailure } from '../fetch-failure';
import { fromGraphTemplate, graphTemplateSchema, type MessageTemplate } from '../message-template';
import type { Capability, MediaUpload, OutboundMessage, SentMessage, WhatsAppProvider } from '../provider';
import { type ProviderAnswer, postJson, sendBudgetMs } from '../provider-http';
import { retryAfterMs } from '../retry-after';
import { cloudApiBody } from './cloud-api-body';
import { mapCloudApiError } from './cloud-api-errors';

const successSchema = z.object({
  messages: z.array(z.object({ id: z.string() })).min(1),
  contacts: z.array(z.object({ wa_id: z.string().optional() })).optional(),
});
const errorSchema = z.object({
  error: z
    .object({
      message: z.string().default(''),
      code: z.coerce.number(),
      error_data: z.object({ details: z.string().optional() }).loose().optional(),
    })
    .loose(),
});

/** `GET /{phone-number-id}` (waba-wire.md §3.1); `messaging_limit_tier` is deprecated for the portfolio limit. */
const HEALTH_FIELDS =
  'display_phone_number,verified_name,quality_rating,whatsapp_business_manager_messaging_limit,throughput,status';
const healthSchema = z
  .object({
    display_phone_number: z.string().optional(),
    verified_name: z.string().optional(),
    quality_rating: z.string().optional(),
    whatsapp_business_manager_messaging_limit: z.string().optional(),
    throughput: z.object({ level: z.string().optional() }).loose().optional(),
    status: z.string().optional(),
  })
  .loose();

const capabilities: ReadonlySet<Capability> = new Set<Capability>([
  'text',
  'media',
  'location',
  'contacts',
  'reaction',
  'template',
  'interactive_buttons',
  'interactive_list',
  'mark_read',
  'customer_window',
  'media_upload',
  'recipient_user_id',
]);
const uploadSchema = z.object({ id: z.string().min(1) });

/** One page of `GET /{WABA_ID}/message_templates` (waba-wire.md §1.1). */
const templatePageSchema = z.object({
  data: z.array(graphTemplateSchema),
  paging: z
    .object({ cursors: z.object({ after: z.string().optional() }).loose().optional(), next: z.string().optional() })
    .loose()
    .optional(),
});
const TEMPLATE_FIELDS = 'id,name,language,status,category,parameter_format,components';
/** A runaway cursor must end: 100 pages of 100 is far above the 250 templates an account may have. */
const MAX_TEMPLATE_PAGES = 100;

export interface CloudApiLine {
  phoneNumberId: string;
  accessToken: string;
  /** The WhatsApp Business Account id: where the templates live. */
  wabaId?: string;
}

export interface CloudApiOptions {
  graphUrl: string;
  version: string;
  timeoutMs?: number;
  uploadTimeoutMs?: number;
  clock: Clock;
  /** The sends' pool (the runtime's, closed with it; default: provider-http's own). The other calls use `fetch`. */
  sendPool?: Dispatcher;
}

/** The official WhatsApp Cloud API (Graph): no edit, delete or forward. */
export function createCloudApiProvider(options: CloudApiOptions, line: CloudApiLine): WhatsAppProvider {
  const numberUrl = `${options.graphUrl}/${options.version}/${encodeURIComponent(line.phoneNumberId)}`;
  const url = `${numberUrl}/messages`;
  /** A Graph GET: the JSON answer, or the mapped Graph error. */
  async function graphGet(target: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(target, {
        headers: { authorization: `Bearer ${line.accessToken}` },
        signal: AbortSignal.timeout(options.timeoutMs ?? 15000),
      });
    } catch (error) {
      throw fetchFailure(error);
    }
    const json: unknown = await response.json().catch(() => null);
    if (response.ok) return json;
    const failure = errorSchema.safeParse(json);
    if (failure.success) {
      const { code, message: text, error_data } = failure.data.error;
      throw mapCloudApiError(code, text, error_data?.details);
    }
    throw new ActionError('provider_unavailable', `HTTP ${response.status}`, { retryable: response.status >= 500 });
  }

  async function listTemplates(wabaId: string): Promise<MessageTemplate[]> {
    const templates: MessageTemplate[] = [];
    const first = `${options.graphUrl}/${options.version}/${encodeURIComponent(wabaId)}/message_templates`;
    let after: string | undefined;
    for (let page = 0; page < MAX_TEMPLATE_PAGES; page += 1) {
      const query = new URLSearchParams({ fields: TEMPLATE_FIELDS, limit: '100', ...(after ? { after } : {}) });
      const parsed = templatePageSchema.safeParse(await graphGet(`${first}?${query}`));
      if (!parsed.success) throw new ActionError('provider_error', 'message_templates: unexpected answer');
      templates.push(...parsed.data.data.map(fromGraphTemplate));
      after = parsed.data.paging?.cursors?.after;
      // Graph names the next page only when there is one; the cursor alone is there on the last page too.
      if (!parsed.data.paging?.next || !after) return templates;
    }
    throw new ActionError('provider_error', `message_templates: more than ${MAX_TEMPLATE_PAGES} pages`);
  }

  const { wabaId } = line;
  return {
    kind: 'cloud',
    capabilities,
    ...(wabaId ? { listTemplates: () => listTemplates(wabaId) } : {}),
    async lineStatus() {
      let response: Response;
      try {
        response = await fetch(`${numberUrl}?fields=${HEALTH_FIELDS}`, {
          headers: { authorization: `Bearer ${line.accessToken}` },
          signal: AbortSignal.timeout(options.timeoutMs ?? 15000),
        });
      } catch (error) {
        throw fetchFailure(error);
      }
      const json: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        const failure = errorSchema.safeParse(json);
        if (failure.success) {
          const { code, message: text, error_data } = failure.data.error;
          throw mapCloudApiError(code, text, error_data?.details);
        }
        throw new ActionError('provider_unavailable', `HTTP ${response.status}`, { retryable: response.status >= 500 });
      }
      const health = healthSchema.safeParse(json);
      if (!health.success) throw new ActionError('provider_error', 'phone number: unexpected answer');
      const h = health.data;
      return {
        // Graph answering for the number is itself the sign the token and number work.
        connected: h.status === undefined || h.status === 'CONNECTED',
        state: h.status,
        displayPhoneNumber: h.display_phone_number,
        verifiedName: h.verified_name,
        qualityRating: h.quality_rating,
        messagingLimit: h.whatsapp_business_manager_messaging_limit,
        throughput: h.throughput?.level,
      };
    },
    async uploadMedia(file: MediaUpload) {
      // waba-wire.md §4: multipart with the file (name + MIME), its `type` and `messaging_product`.
      const form = new FormData();
      form.append('messaging_product', 'whatsapp');
      form.append('type', file.mimeType);
      form.append('file', new Blob(file.chunks, { type: file.mimeType }), file.filename);
      let response: Response;
      try {
        response = await fetch(`${numberUrl}/media`, {
          method: 'POST',
          headers: { authorization: `Bearer ${line.accessToken}` },
          body: form,
          signal: AbortSignal.timeout(options.uploadTimeoutMs ?? 120_000),
        });
      } catch (error) {
        throw fetchFailure(error);
      }
      const json: unknown = await response.json().catch(() => null);
      if (response.ok) {
        const ok = uploadSchema.safeParse(json);
        if (!ok.success)
          throw new ActionError('provider_error', `media upload: unexpected answer (HTTP ${response.status})`);
        return { mediaId: ok.data.id };
      }
      const failure = errorSchema.safeParse(json);
      if (failure.success) {
        const { code, message: text, error_data } = failure.data.error;
        const after = retryAfterMs(response.headers.get('retry-after'), options.clock.now());
        throw mapCloudApiError(code, text, `"${file.filename}": ${error_data?.details ?? text}`, after);
      }
      const transient = response.status >= 500 || response.status === 429;
      throw new ActionError(
        transient ? 'provider_unavailable' : 'provider_error',
        `media upload: HTTP ${response.status}`,
        {
          retryable: transient,
        },
      );
    },
    async send(message: OutboundMessage): Promise<SentMessage> {
      let answer: ProviderAnswer;
      const budgetMs = sendBudgetMs(options.timeoutMs ?? 15000, message.deadlineAt, options.clock.now());
      try {
        answer = await postJson(
          url,
          { authorization: `Bearer ${line.accessToken}` },
          cloudApiBody(message),
          budgetMs,
          options.sendPool,
        );
      } catch (error) {
        throw fetchFailure(error);
      }
      const { status, json } = answer;
      if (status >= 200 && status < 300) {
        // A 2xx is an accepted message even when its answer cannot be read.
        const ok = successSchema.safeParse(json);
        if (!ok.success)
          throw new ActionError('provider_error', `unexpected answer (HTTP ${status})`, {
            retryable: false,
            outcomeUnknown: true,
          });
        const [first] = ok.data.messages;
        if (!first) throw new ActionError('provider_error', 'answer names no message', { outcomeUnknown: true });
        return { providerMessageId: first.id, waId: ok.data.contacts?.[0]?.wa_id };
      }
      // Graph rarely sends Retry-After; when it (or a proxy in front of it) does, it is honoured.
      const after = retryAfterMs(answer.retryAfter, options.clock.now());
      const failure = errorSchema.safeParse(json);
      // A 4xx refuses the message; after a 5xx nobody can tell whether it went out.
      const serverFailed = status >= 500;
      if (failure.success) {
        const { code, message: text, error_data } = failure.data.error;
        const mapped = mapCloudApiError(code, text, error_data?.details, after);
        throw serverFailed ? mapped.withUnknownOutcome() : mapped;
      }
      const transient = serverFailed || status === 429;
      throw new ActionError(transient ? 'provider_unavailable' : 'provider_error', `HTTP ${status}`, {
        retryable: transient,
        retryAfterMs: after,
        outcomeUnknown: serverFailed,
      });
    },
  };
}
