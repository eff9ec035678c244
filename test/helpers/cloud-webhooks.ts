import { APP_SECRET, LINE } from './harness';
import { type RawPost, signBytes } from './raw-http';

/** How Meta sends a webhook. */
export const JSON_TYPE = 'application/json';

/** A Cloud API envelope of one value on the harness' line (or another number). */
export function envelope(value: Record<string, unknown>, phoneNumberId = LINE.phoneNumberId): string {
  const metadata = { display_phone_number: LINE.displayPhoneNumber, phone_number_id: phoneNumberId };
  const change = { field: 'messages', value: { messaging_product: 'whatsapp', metadata, ...value } };
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1000', changes: [change] }] });
}
export const contact = { profile: { name: 'Иван' }, wa_id: '79161234567' };
export const text = (id: string, body = 'Привет 👋') => ({
  from: '79161234567',
  id,
  timestamp: '1760000000',
  type: 'text',
  text: { body },
});
export const reply = (id: string) => ({
  from: '79161234567',
  id,
  timestamp: '1760000000',
  type: 'interactive',
  interactive: { type: 'button_reply', button_reply: { id: 'w:abc:1', title: 'Yes' } },
});
export const signed = (body: Buffer | string, extra: Record<string, string> = {}): RawPost => ({
  headers: { 'content-type': JSON_TYPE, 'x-hub-signature-256': signBytes(APP_SECRET, body), ...extra },
  body,
});
