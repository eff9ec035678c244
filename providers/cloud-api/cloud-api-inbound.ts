import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { randomId, safeEqual } from '../../lib/hash';
import type { InboundEvent } from '../inbound-message';

/** `contacts[]` of a value (whatsapp-wire.md §0): one per sender, named by `wa_id` and, since 2026, `user_id`. */
const contactSchema = z
  .object({
    profile: z.object({ name: z.string().optional() }).loose().optional(),
    wa_id: z.string().optional(),
    user_id: z.string().optional(),
  })
  .loose();
type Contact = z.infer<typeof contactSchema>;

const envelopeSchema = z
  .object({
    object: z.string(),
    entry: z
      .array(
        z
          .object({
            /** The WhatsApp Business Account id (template webhooks name nothing else). */
            id: z.string().optional(),
            time: z.coerce.number().optional(),
            changes: z
              .array(
                z
                  .object({
                    field: z.string(),
                    value: z
                      .object({
                        metadata: z
                          .object({ phone_number_id: z.string(), display_phone_number: z.string().optional() })
                          .loose()
                          .optional(),
                        contacts: z.array(contactSchema).optional(),
                        messages: z.array(z.object({ id: z.string() }).loose()).optional(),
                        statuses: z.array(z.object({ id: z.string(), status: z.string() }).loose()).optional(),
                        /** Errors about the number or account, not about one message (§1.9). */
                        errors: z.array(z.object({}).loose()).optional(),
                        event: z.string().optional(),
                        display_phone_number: z.string().optional(),
                        phone_number: z.string().optional(),
                      })
                      .loose(),
                  })
                  .loose(),
              )
              .default([]),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();

/** Template webhooks (waba-wire.md §1.4): the account's templates changed. */
const TEMPLATE_FIELDS = new Set([
  'message_template_status_update',
  'message_template_quality_update',
  'message_template_components_update',
  'template_category_update',
]);

/** One template change as an event; the key names the change (a re-delivery has the same). */
function templateEvent(wabaId: string, time: number | undefined, field: string, value: Record<string, unknown>) {
  // The id is a JSON number: only as a key part, never as a number (waba-wire.md §1.4).
  const id = String(value.message_template_id ?? '');
  const what = String(value.event ?? value.new_quality_score ?? value.new_category ?? '');
  const key = `tpl:${wabaId}:${field}:${id}:${what}:${time ?? randomId()}`;
  return { key, phoneNumberId: '', kind: 'template' as const, event: { waba_id: wabaId, field, value } };
}
/** Account-level fields the app follows (line health): the number's quality and limit, the account's state. */
const ACCOUNT_FIELDS = new Set(['phone_number_quality_update', 'account_update']);

/** True when `X-Hub-Signature-256` is the HMAC-SHA256 of the exact raw body with the app secret. */
export function isValidSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest('hex');
  return safeEqual(header.slice(7).toLowerCase(), expected);
}

/**
 * The name of a message's sender: the contact whose `wa_id` is the message's `from`, else whose
 * `user_id` is its `from_user_id` (either may be missing since 2026). A value may carry several
 * senders, so never simply the first contact.
 */
function senderName(contacts: Contact[], message: Record<string, unknown>): string | undefined {
  const { from, from_user_id: fromUserId } = message;
  const byNumber = typeof from === 'string' ? contacts.find((c) => c.wa_id === from) : undefined;
  const byUserId = typeof fromUserId === 'string' ? contacts.find((c) => c.user_id === fromUserId) : undefined;
  return (byNumber ?? byUserId)?.profile?.name;
}

/**
 * The messages, statuses and value-level errors of a Cloud API webhook body, one event each; null
 * when it is not an envelope.
 */
export function cloudApiInboundEvents(json: unknown): InboundEvent[] | null {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return null;
  const events: InboundEvent[] = [];
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      const { metadata, messages = [], statuses = [], contacts = [], errors = [] } = change.value;
      // Each event is built with Object.assign: V8 adds the properties written after a leading
      // spread slowly (µs per event at the webhook door).
      const base = {
        phoneNumberId: metadata?.phone_number_id ?? '',
        displayPhoneNumber: metadata?.display_phone_number,
      };
      // Never dropped: the worker logs and counts each. They carry no id or time, so one delivery is
      // one event (two identical reports are two, and so is a re-delivery after a failed answer).
      for (const error of errors) events.push({ ...base, key: `err:${randomId()}`, kind: 'error', event: error });
      if (TEMPLATE_FIELDS.has(change.field) && entry.id) {
        events.push(templateEvent(entry.id, entry.time, change.field, change.value));
        continue;
      }
      if (ACCOUNT_FIELDS.has(change.field)) {
        // waba-wire.md §3.2: no metadata; the number only by its display digits (account_update: maybe none).
        const { value } = change;
        const display = (value.display_phone_number ?? value.phone_number ?? '').replace(/\D/g, '');
        const key = `acct:${entry.id ?? ''}:${change.field}:${entry.time ?? randomId()}:${value.event ?? ''}:${display}`;
        const event = { ...value, field: change.field, waba_id: entry.id ?? '', time: entry.time };
        events.push({ phoneNumberId: '', displayPhoneNumber: display || undefined, key, kind: 'account', event });
        continue;
      }
      if (!metadata) continue;
      for (const message of messages) {
        const contactName = senderName(contacts, message);
        events.push(
          Object.assign({}, base, { key: `msg:${message.id}`, kind: 'message' as const, contactName, event: message }),
        );
      }
      for (const status of statuses) {
        events.push(
          Object.assign({}, base, { key: `st:${status.id}:${status.status}`, kind: 'status' as const, event: status }),
        );
      }
    }
  }
  return events;
}
