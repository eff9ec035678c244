import { z } from 'zod';

/**
 * The webhook API's requests and answers. The same schemas validate the requests (query, form or
 * JSON alike) and generate the OpenAPI document, so the two cannot drift apart.
 */

/** Y/N flags; JSON callers may send booleans. */
const yesNo = z
  .union([z.enum(['Y', 'N', 'y', 'n']), z.boolean()])
  .transform((v) => v === true || v === 'Y' || v === 'y');

const phoneNumber = z
  .string()
  .min(1)
  .max(64)
  .meta({ description: 'Recipient: +7 (900) 123-45-67, 8 900 123 45 67, 79001234567 (region per portal)' });

const httpUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL');

const sendCommon = {
  phone_number: phoneNumber,
  send_to_imol: yesNo
    .optional()
    .meta({ description: 'Y: also show in the open-line chat (carried with the message for the open-line sync)' }),
  idempotency_key: z.string().min(1).max(200).optional().meta({
    description:
      "The same request again with this key on this line (the same method and parameters besides wait) answers the first request's result and sends nothing; the key with a different request: 422 idempotency_key_reused (kept 30 days)",
  }),
  wait: yesNo.optional().meta({ description: "Y: wait up to 10 s for the provider's answer" }),
};

export const sendTextRequest = z
  .object({
    ...sendCommon,
    body: z.string().min(1).max(4096, 'at most 4096 characters'),
    reply_to: z.string().min(1).max(256).optional().meta({ description: 'WhatsApp message id to reply to' }),
    preview_url: yesNo.optional().meta({ description: 'Y: show a preview of the first link' }),
  })
  .meta({ id: 'SendTextRequest' });

export const sendFileRequest = z
  .object({
    ...sendCommon,
    body: httpUrl.meta({ description: 'File URL (http/https; private addresses refused)' }),
    caption: z.string().max(1024).optional(),
    filename: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^|\r\n]+$/, 'no | or line breaks')
      .optional()
      .meta({ description: 'Given: the file goes as a document with this name' }),
  })
  .meta({ id: 'SendFileRequest' });

export const sendTemplateRequest = z
  .object({
    ...sendCommon,
    name: z.string().min(1).max(512).meta({ description: 'Approved template name' }),
    language: z.string().min(2).max(15).meta({ description: 'Template language code, e.g. ru or en_US' }),
    params: z
      .union([z.array(z.string().max(1024)).max(100), z.string().max(100_000)])
      .optional()
      .meta({ description: 'Body parameters {{1}}, {{2}}…: a JSON array (string), a JSON array, or params[]' }),
    header_url: httpUrl.optional().meta({ description: 'Header media (image, video or document by extension)' }),
  })
  .meta({ id: 'SendTemplateRequest' });

export const checkPhoneRequest = z.object({ phone_number: phoneNumber }).meta({ id: 'CheckPhoneRequest' });
export const checkStatusRequest = z.object({}).meta({ id: 'CheckStatusRequest' });
export const checkMessageStatusRequest = z
  .object({
    message_id: z
      .string()
      .min(1)
      .max(256)
      .meta({ description: 'The id sendText/sendFile/sendTemplate answered with, or the WhatsApp message id' }),
  })
  .meta({ id: 'CheckMessageStatusRequest' });

export const apiError = z
  .object({
    code: z.string().meta({ description: 'Stable English code' }),
    message: z.string().meta({ description: "For people, in the portal's language" }),
    field: z.string().optional().meta({ description: 'The request field that is wrong (400)' }),
    message_id: z.string().optional(),
  })
  .meta({ id: 'ApiError' });

export const errorAnswer = z.object({ ok: z.literal(false), error: apiError }).meta({ id: 'ErrorAnswer' });

export const sendResult = z
  .object({
    message_id: z.string(),
    status: z.enum(['queued', 'sent', 'failed']),
    wa_message_id: z.string().optional(),
    error: apiError.optional(),
  })
  .meta({ id: 'SendResult' });

export const checkPhoneResult = z
  .object({
    exists: z.enum(['yes', 'no', 'unknown']),
    normalized: z.string().meta({ description: 'E.164 digits' }),
  })
  .meta({ id: 'CheckPhoneResult' });

export const checkStatusResult = z
  .object({
    line: z.object({ id: z.string(), name: z.string() }),
    provider: z.enum(['cloud', 'green-api', 'gupshup']),
    connected: z.boolean(),
    state: z.string().optional(),
    phone_number: z.string().optional(),
    name: z.string().optional().meta({ description: "The number's verified business name" }),
    quality_rating: z.string().optional(),
    messaging_limit: z.string().optional(),
    throughput: z.string().optional().meta({ description: 'Throughput level (STANDARD = 80 messages/s)' }),
    health_change: z
      .object({
        kind: z.enum(['quality_drop', 'quality_up', 'limit_change', 'status_change', 'account_event']),
        from: z.string(),
        to: z.string(),
        at: z.string(),
      })
      .optional()
      .meta({ description: "The line's latest notable health change (a quality drop, a new limit, an account event)" }),
    last_webhook_at: z.string().nullable().meta({ description: 'ISO time of the last webhook for the line' }),
    error: apiError.optional(),
  })
  .meta({ id: 'CheckStatusResult' });

export const messageStatusResult = z
  .object({
    message_id: z.string(),
    wa_message_id: z.string().optional(),
    status: z.enum(['queued', 'sent', 'delivered', 'read', 'failed']),
    sent_at: z.string().optional(),
    delivered_at: z.string().optional(),
    read_at: z.string().optional(),
    failed_at: z.string().optional(),
    error: apiError.extend({ provider_code: z.string().optional() }).optional(),
  })
  .meta({ id: 'MessageStatusResult' });

/** Every method: its request schema, its result schema, and what it is for (the OpenAPI summary). */
export const apiMethods = {
  sendText: { request: sendTextRequest, result: sendResult, summary: 'Send a text message' },
  sendFile: { request: sendFileRequest, result: sendResult, summary: 'Send a file by URL' },
  sendTemplate: {
    request: sendTemplateRequest,
    result: sendResult,
    summary: 'Send an approved template (the only way to write first, outside the 24-hour window)',
  },
  checkPhone: { request: checkPhoneRequest, result: checkPhoneResult, summary: 'Does a number have WhatsApp' },
  checkStatus: { request: checkStatusRequest, result: checkStatusResult, summary: "The line's state" },
  checkMessageStatus: {
    request: checkMessageStatusRequest,
    result: messageStatusResult,
    summary: 'Delivery status of a sent message',
  },
} as const;

export type ApiMethodName = keyof typeof apiMethods;
// Object.keys types its answer as string[]; the keys of this literal are exactly the method names.
export const apiMethodNames = Object.keys(apiMethods) as ApiMethodName[];
export function isApiMethod(name: string): name is ApiMethodName {
  return Object.hasOwn(apiMethods, name);
}
