/** Builders of WhatsApp webhook envelopes: inbound messages and statuses. */
import { createHash } from 'node:crypto';
import type { InboundMessage, PhoneNumber } from './types';

type Obj = Record<string, unknown>;

/** A stable business-scoped user id for a phone number (`RU.…` for +7 numbers). */
export function bsuidOf(digits: string): string {
  const country = digits.startsWith('7') ? 'RU' : digits.startsWith('1') ? 'US' : 'GB';
  const n = BigInt(`0x${createHash('sha256').update(digits).digest('hex').slice(0, 15)}`);
  return `${country}.${n.toString().padStart(19, '1').slice(0, 19)}`;
}

/** Wraps a `value` into `{object, entry:[{id, changes:[{field:'messages', value}]}]}`. */
export function envelope(phone: PhoneNumber, value: Obj): Obj {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: phone.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: phone.displayPhoneNumber, phone_number_id: phone.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** The type and type-specific payload of an inbound message. */
export function inboundContent(m: InboundMessage): { type: string; payload: Obj } {
  switch (m.type) {
    case 'text':
      return { type: 'text', payload: { text: { body: m.text } } };
    case 'button_reply':
      return {
        type: 'interactive',
        payload: { interactive: { type: 'button_reply', button_reply: { id: m.id, title: m.title } } },
      };
    case 'list_reply': {
      const reply: Obj = { id: m.id, title: m.title };
      if (m.description !== undefined) reply.description = m.description;
      return { type: 'interactive', payload: { interactive: { type: 'list_reply', list_reply: reply } } };
    }
    case 'button':
      return { type: 'button', payload: { button: { payload: m.payload, text: m.text } } };
    case 'location': {
      const loc: Obj = { latitude: m.latitude, longitude: m.longitude };
      for (const k of ['name', 'address', 'url'] as const) if (m[k] !== undefined) loc[k] = m[k];
      return { type: 'location', payload: { location: loc } };
    }
    case 'reaction': {
      const reaction: Obj = { message_id: m.messageId };
      if (m.emoji !== undefined) reaction.emoji = m.emoji;
      return { type: 'reaction', payload: { reaction } };
    }
    default: {
      const media: Obj = {};
      if (m.caption !== undefined) media.caption = m.caption;
      if (m.type === 'document') media.filename = m.filename ?? 'file.pdf';
      media.mime_type = m.mimeType ?? defaultMime(m.type);
      media.sha256 = createHash('sha256')
        .update(m.mediaId ?? m.type)
        .digest('base64');
      media.id = m.mediaId ?? `${String(Date.now())}1`;
      if (m.type === 'audio') media.voice = m.voice ?? false;
      if (m.type === 'sticker') media.animated = false;
      return { type: m.type, payload: { [m.type]: media } };
    }
  }
}

function defaultMime(type: string): string {
  return (
    (
      {
        image: 'image/jpeg',
        video: 'video/mp4',
        audio: 'audio/ogg; codecs=opus',
        document: 'application/pdf',
        sticker: 'image/webp',
      } as Record<string, string>
    )[type] ?? 'application/octet-stream'
  );
}

/** Builds the inbound `value` (contacts + messages). */
export function inboundValue(args: {
  phone: PhoneNumber;
  from: string;
  name: string;
  id: string;
  timestamp: number;
  message: InboundMessage;
  contextId?: string;
  omitFrom?: boolean;
}): Obj {
  const userId = bsuidOf(args.from);
  const contact: Obj = { profile: { name: args.name } };
  if (!args.omitFrom) contact.wa_id = args.from;
  contact.user_id = userId;
  const msg: Obj = {};
  if (args.contextId) msg.context = { from: args.phone.displayPhoneNumber, id: args.contextId };
  if (!args.omitFrom) msg.from = args.from;
  msg.from_user_id = userId;
  msg.id = args.id;
  msg.timestamp = String(args.timestamp);
  const { type, payload } = inboundContent(args.message);
  msg.type = type;
  Object.assign(msg, payload);
  return { contacts: [contact], messages: [msg] };
}

/** Builds a status `value`; `withPricing` adds the pricing block, failed statuses carry errors and no contacts. */
export function statusValue(args: {
  name: string;
  wamid: string;
  status: string;
  recipientId: string;
  timestamp: number;
  withPricing: boolean;
  errors?: Array<{ code: number; title: string; details: string }>;
}): Obj {
  const userId = bsuidOf(args.recipientId);
  const st: Obj = {
    id: args.wamid,
    status: args.status,
    timestamp: String(args.timestamp),
    recipient_id: args.recipientId,
    recipient_user_id: userId,
  };
  if (args.status === 'failed') {
    st.errors = (args.errors ?? []).map((e) => ({
      code: e.code,
      title: e.title,
      message: e.title,
      error_data: { details: e.details },
      href: '/documentation/business-messaging/whatsapp/support/error-codes',
    }));
    return { statuses: [st] };
  }
  if (args.withPricing)
    st.pricing = { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' };
  return { contacts: [{ profile: { name: args.name }, wa_id: args.recipientId, user_id: userId }], statuses: [st] };
}
