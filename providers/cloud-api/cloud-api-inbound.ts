import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { safeEqual } from '../../lib/hash';
import type { InboundEvent } from '../inbound-message';

const envelopeSchema = z
  .object({
    object: z.string(),
    entry: z
      .array(
        z
          .object({
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
                        contacts: z
                          .array(
                            z.object({ profile: z.object({ name: z.string().optional() }).loose().optional() }).loose(),
                          )
                          .optional(),
                        messages: z.array(z.object({ id: z.string() }).loose()).optional(),
                        statuses: z.array(z.object({ id: z.string(), status: z.string() }).loose()).optional(),
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

/** True when `X-Hub-Signature-256` is the HMAC-SHA256 of the exact raw body with the app secret. */
export function isValidSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest('hex');
  return safeEqual(header.slice(7).toLowerCase(), expected);
}

/** The messages and statuses of a Cloud API webhook body, one event each; null when it is not an envelope. */
export function cloudApiInboundEvents(json: unknown): InboundEvent[] | null {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return null;
  const events: InboundEvent[] = [];
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      const { metadata, messages = [], statuses = [], contacts = [] } = change.value;
      if (!metadata) continue;
      const base = { phoneNumberId: metadata.phone_number_id, displayPhoneNumber: metadata.display_phone_number };
      const contactName = contacts[0]?.profile?.name;
      for (const message of messages) {
        events.push({ ...base, key: `msg:${message.id}`, kind: 'message', contactName, event: message });
      }
      for (const status of statuses) {
        events.push({ ...base, key: `st:${status.id}:${status.status}`, kind: 'status', event: status });
      }
    }
  }
  return events;
}
