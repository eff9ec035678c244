import type { z } from 'zod';
import type { AddressPolicy } from '../../lib/address-policy';
import { AppError } from '../../lib/errors/app-error';
import { digest, randomId } from '../../lib/hash';
import type { Queues } from '../../queues/create-queues';
import type { ApiMessage, ApiMessageStore } from '../../store/api-message-store';
import type { Line } from '../../store/line-store';
import { badParameter, type Lang, textOf } from './api-answers';
import { parseParamsList } from './api-request';
import type { sendFileRequest, sendResult, sendTemplateRequest, sendTextRequest } from './api-schemas';

export interface ApiSendDeps {
  apiMessages: Pick<ApiMessageStore, 'create' | 'get' | 'forget'>;
  queues: Pick<Queues, 'enqueueApiCall'>;
  addresses: AddressPolicy;
  /** How long `wait=Y` waits for the provider's answer (10 s), and how often it looks. */
  apiWait?: { timeoutMs: number; pollMs: number };
}

/** Who is sending: the token's portal and line, the portal's language, the recipient's normalised number. */
export interface SendContext {
  memberId: string;
  line: Line;
  lang: Lang;
  /** E.164 digits. */
  phone: string;
  now: number;
}

type SendResult = z.infer<typeof sendResult>;
type Sends = {
  sendText: z.output<typeof sendTextRequest>;
  sendFile: z.output<typeof sendFileRequest>;
  sendTemplate: z.output<typeof sendTemplateRequest>;
};

/** The send failed at the provider (or before it): answered as the mapped error, naming the message. */
export class ApiSendFailedError extends AppError {
  constructor(
    code: string,
    message: string,
    readonly messageId: string,
  ) {
    // A provider that stayed unavailable (or throttled) through every retry: the caller may retry later.
    const unavailable = code === 'provider_unavailable' || code === 'rate_limited';
    super(code, message, { kind: unavailable ? 'unavailable' : 'bad_input' });
  }
}

/** One send method with its parsed parameters (the method narrows the parameters). */
export type SendRequest = { [M in keyof Sends]: { method: M; params: Sends[M] } }[keyof Sends];

/** Each method's action and its properties, as a robot would pass them (strings, Y/N). */
function actionCall(
  request: SendRequest,
  phone: string,
): { code: string; properties: Record<string, string | string[]> } {
  const yn = (v: boolean | undefined) => (v ? 'Y' : 'N');
  const common = { phone, show_in_chat: yn(request.params.send_to_imol) };
  switch (request.method) {
    case 'sendText': {
      const p = request.params;
      return {
        code: 'wa_send_text',
        properties: { ...common, text: p.body, preview_url: yn(p.preview_url), reply_to: p.reply_to ?? '' },
      };
    }
    case 'sendFile': {
      const p = request.params;
      // A file name makes it a document with that name (the action's `title|url` line).
      const file = p.filename === undefined ? p.body : `${p.filename}|${p.body}`;
      const format = p.filename === undefined ? 'media' : 'document';
      return { code: 'wa_send_file', properties: { ...common, files: [file], format, caption: p.caption ?? '' } };
    }
    case 'sendTemplate': {
      const p = request.params;
      return {
        code: 'wa_send_template',
        properties: {
          ...common,
          template: p.name,
          language: p.language,
          body_params: parseParamsList(p.params),
          header_media: p.header_url ?? '',
        },
      };
    }
  }
}

/** URLs the provider would fetch, by field: checked against the address policy before anything is queued. */
function urlsOf(request: SendRequest): Array<[string, string]> {
  if (request.method === 'sendFile') return [['body', request.params.body]];
  if (request.method === 'sendTemplate' && request.params.header_url)
    return [['header_url', request.params.header_url]];
  return [];
}

/** The answer for a stored API message (the mapped error when it failed). */
function resultOf(message: ApiMessage | null, id: string, lang: Lang): SendResult {
  if (!message || message.state === 'queued') return { message_id: id, status: 'queued' };
  if (message.state === 'sent')
    return {
      message_id: id,
      status: 'sent',
      ...(message.providerMessageId ? { wa_message_id: message.providerMessageId } : {}),
    };
  const code = message.errorCode ?? 'internal_error';
  throw new ApiSendFailedError(code, message.errorText || textOf(code, lang, code), id);
}

/**
 * The fingerprint's version, hashed with it. Keys live 30 days, so across releases: change what is
 * hashed below only by bumping this, and only with a migration note (keys stored before then answer
 * 422 to their own honest retries until they lapse).
 */
const FINGERPRINT_VERSION = 'v1';
/** Left out of the fingerprint: how the answer comes back, not what is sent. */
const NOT_FINGERPRINTED = new Set(['wait', 'idempotency_key']);
const isEmptyField = (value: unknown) =>
  value === undefined || value === false || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * What a request asks for, for comparing a repeat under one idempotency key: the method and the
 * client's own fields as parsed, never the action call they become (internal property names and
 * defaults may change in a later release). `+7 916…` and `8 916…`, `Y` and `true`, a params string
 * and its array are one request, and a field left out is its empty value. Used by apiSend, and by a
 * test that stores a key as an earlier request did (`phone`: E.164 digits).
 */
export function requestFingerprint(request: SendRequest, phone: string): string {
  const fields: Record<string, unknown> = { ...request.params, phone_number: phone };
  if (request.method === 'sendTemplate') fields.params = parseParamsList(request.params.params);
  const sorted = Object.keys(fields)
    .filter((name) => !NOT_FINGERPRINTED.has(name) && !isEmptyField(fields[name]))
    .sort()
    .map((name) => [name, fields[name]]);
  return digest(JSON.stringify([FINGERPRINT_VERSION, request.method, sorted]));
}

/** Queues a send through the robots' path (queue, line limit, provider, error map), or returns the first result of its idempotency key. */
export async function apiSend(deps: ApiSendDeps, request: SendRequest, ctx: SendContext): Promise<SendResult> {
  for (const [field, url] of urlsOf(request)) {
    const refusal = await deps.addresses.refusal(url);
    if (refusal) throw badParameter(field, refusal);
  }
  const { method, params } = request;
  const { code, properties } = actionCall(request, ctx.phone);
  const { memberId, line } = ctx;
  const record = { id: `m${randomId(12)}`, memberId, lineId: line.id, method, phone: ctx.phone, createdAt: ctx.now };
  const key = params.idempotency_key;
  const { id, created } = await deps.apiMessages.create(
    record,
    key === undefined ? undefined : { key, fingerprint: requestFingerprint(request, ctx.phone) },
  );
  // A repeat whose first request is still `queued` queues it again: BullMQ keeps one job per id, so
  // this adds nothing when the job exists, and queues it when the first request never got that far.
  const requeue = !created && (await deps.apiMessages.get(memberId, id))?.state === 'queued';
  if (created || requeue) {
    const job = {
      source: 'api' as const,
      memberId,
      code,
      lineId: line.id,
      messageId: id,
      properties,
      receivedAt: ctx.now,
    };
    try {
      await deps.queues.enqueueApiCall(job);
    } catch (error) {
      // Never queued: nothing may stay "queued" forever, nor hold the idempotency key (503, the caller retries).
      if (created) await deps.apiMessages.forget(memberId, line.id, id, params.idempotency_key).catch(() => undefined);
      throw error;
    }
  }
  if (!params.wait) return resultOf(await deps.apiMessages.get(memberId, id), id, ctx.lang);
  const { timeoutMs, pollMs } = deps.apiWait ?? { timeoutMs: 10_000, pollMs: 100 };
  // Real time on purpose: the caller's HTTP request waits at most this long, whatever clock the app runs on.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await deps.apiMessages.get(memberId, id);
    if ((message && message.state !== 'queued') || Date.now() + pollMs > deadline)
      return resultOf(message, id, ctx.lang);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
