import { z } from 'zod';

/** The parts of an inbound WhatsApp message the app uses (whatsapp-wire.md §1); the rest is kept raw. */
export const inboundMessageSchema = z
  .object({
    id: z.string(),
    from: z.string().optional(),
    from_user_id: z.string().optional(),
    timestamp: z.string().optional(),
    type: z.string(),
    text: z.object({ body: z.string() }).optional(),
    interactive: z
      .object({
        type: z.string(),
        button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
        list_reply: z.object({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
      })
      .loose()
      .optional(),
    button: z.object({ payload: z.string().optional(), text: z.string().optional() }).optional(),
    context: z.object({ id: z.string().optional(), from: z.string().optional() }).loose().optional(),
    /**
     * `type: "system"`: `user_changed_number` names the customer's new number in `wa_id` (before
     * Graph v12 `new_wa_id`); `from` is the old one; such a value carries no `contacts`.
     */
    system: z
      .object({
        type: z.string().optional(),
        body: z.string().optional(),
        wa_id: z.string().optional(),
        new_wa_id: z.string().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

/** One error item as WhatsApp reports it, in a status, a message or a value (whatsapp-wire.md §1.9, §2). */
export const webhookErrorSchema = z
  .object({
    code: z.coerce.number(),
    title: z.string().optional(),
    message: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).loose().optional(),
  })
  .loose();
export type WebhookError = z.infer<typeof webhookErrorSchema>;

export const inboundStatusSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    timestamp: z.string().optional(),
    recipient_id: z.string().optional(),
    errors: z.array(webhookErrorSchema).optional(),
  })
  .loose();
export type InboundStatus = z.infer<typeof inboundStatusSchema>;

/** The customer's old and new number from a `user_changed_number` system message, or null. */
export function numberChange(message: InboundMessage): { from: string; to: string } | null {
  const { system, from } = message;
  if (message.type !== 'system' || system?.type !== 'user_changed_number') return null;
  const to = system.wa_id ?? system.new_wa_id;
  return from && to ? { from, to } : null;
}

/** What the customer said, as text: typed text, a tapped button's title, or a template button's text. */
export function replyText(message: InboundMessage): string {
  return (
    message.text?.body ??
    message.interactive?.button_reply?.title ??
    message.interactive?.list_reply?.title ??
    message.button?.text ??
    ''
  );
}

/** Unix seconds (string) → ms, falling back to `fallback`. */
export function timestampMs(timestamp: string | undefined, fallback: number): number {
  const seconds = Number(timestamp);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallback;
}

/** One webhook event as a provider delivered it, in the Cloud API's shape, with the key that makes it unique. */
export interface InboundEvent {
  /** Dedupe key: the same message or status delivered twice has the same key. */
  key: string;
  /** The line it came in on (Green-API: the idInstance). */
  phoneNumberId: string;
  displayPhoneNumber?: string;
  /**
   * `error`: a webhook-level error report (Cloud API `value.errors[]`), not tied to a message;
   * `template`: the account's templates changed (Cloud API template webhooks, `phoneNumberId` '';
   *   GupShup's template events, `phoneNumberId` the app of the line);
   * `account`: a number's quality/limit or the account's state changed (waba-wire.md §3.2).
   */
  kind: 'message' | 'status' | 'error' | 'template' | 'account';
  contactName?: string;
  event: Record<string, unknown>;
}
