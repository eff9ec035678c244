/** Builders of WhatsApp webhook envelopes: inbound messages and statuses. */
import { createHash } from 'node:crypto';
import type { InboundMessage, PhoneNumber, TemplateDefinition } from './types';

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

/** One customer message of an inbound `value`. */
export interface InboundItem {
  from: string;
  name: string;
  id: string;
  timestamp: number;
  message: InboundMessage;
  contextId?: string;
  omitFrom?: boolean;
}

/**
 * Builds the inbound `value`: `contacts` (one per sender, named by `wa_id` and `user_id`) and
 * `messages`. Meta may batch messages of several senders in one value.
 */
export function inboundValue(args: { phone: PhoneNumber; items: InboundItem[] }): Obj {
  const contacts = new Map<string, Obj>();
  const messages = args.items.map((item) => {
    const userId = bsuidOf(item.from);
    const contact: Obj = { profile: { name: item.name } };
    if (!item.omitFrom) contact.wa_id = item.from;
    contact.user_id = userId;
    if (!contacts.has(userId)) contacts.set(userId, contact);
    const msg: Obj = {};
    if (item.contextId) msg.context = { from: args.phone.displayPhoneNumber, id: item.contextId };
    if (!item.omitFrom) msg.from = item.from;
    msg.from_user_id = userId;
    msg.id = item.id;
    msg.timestamp = String(item.timestamp);
    const { type, payload } = inboundContent(item.message);
    msg.type = type;
    Object.assign(msg, payload);
    return msg;
  });
  return { contacts: [...contacts.values()], messages };
}

/**
 * A `system` message: the user changed their number (Meta's system messages webhook reference,
 * Aug 2026). No `contacts`; `from` is the old number, `system.wa_id` the new one (`new_wa_id`
 * before Graph v12), and since Aug 2026 `system.user_id` / `previous_user_id` the BSUIDs.
 */
export function numberChangeValue(args: {
  from: string;
  to: string;
  name: string;
  id: string;
  timestamp: number;
}): Obj {
  const system = {
    body: `User ${args.name} changed from ${args.from} to ${args.to}`,
    wa_id: args.to,
    type: 'user_changed_number',
    user_id: bsuidOf(args.to),
    previous_user_id: bsuidOf(args.from),
  };
  return {
    messages: [{ from: args.from, id: args.id, timestamp: String(args.timestamp), type: 'system', system }],
  };
}

/** A value with errors about the number or account rather than one message (same item shape as message errors). */
export function errorsValue(errors: Array<{ code: number; title: string; details: string }>): Obj {
  return {
    errors: errors.map((e) => ({ code: e.code, title: e.title, message: e.title, error_data: { details: e.details } })),
  };
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

/** `message_template_status_update` for a template whose status is now `t.status` (waba-wire.md §1.4). */
export function templateStatusEnvelope(wabaId: string, t: TemplateDefinition, reason: string, time: number): Obj {
  const value = {
    event: t.status,
    // A JSON number on the wire.
    message_template_id: Number(t.id),
    message_template_name: t.name,
    message_template_language: t.language,
    message_template_category: t.category,
    reason,
  };
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, time, changes: [{ field: 'message_template_status_update', value }] }],
  };
}
