import { isBsuid } from '../../lib/phone';
import type { OutboundMessage } from '../provider';

type Json = Record<string, unknown>;

/** The Cloud API JSON body for one message (whatsapp-wire.md §4.1). */
export function cloudApiBody(message: OutboundMessage): Json {
  // A customer known only by their business-scoped user id gets `recipient` instead of `to` (whatsapp-wire.md §0.1).
  // Built by assignment and each case's fields assigned onto it (Object.assign keeps the key order):
  // spreading a two-shaped `base` into a new object cost ≈ 10× as much, and JSON.stringify of the
  // copy over twice as much again, on every sent message (worker CPU per message, issue 10).
  const base: Json = { messaging_product: 'whatsapp', recipient_type: 'individual' };
  if (isBsuid(message.to)) base.recipient = message.to;
  else base.to = message.to;
  if (message.replyTo && message.content.type !== 'reaction') base.context = { message_id: message.replyTo };
  const c = message.content;
  switch (c.type) {
    case 'text':
      return Object.assign(base, { type: 'text', text: { body: c.body, preview_url: c.previewUrl ?? false } });
    case 'media': {
      const media: Json = c.mediaId !== undefined ? { id: c.mediaId } : { link: c.link };
      // Captions exist for image, video and document only (waba-wire.md §4).
      if (c.caption && c.kind !== 'audio' && c.kind !== 'sticker') media.caption = c.caption;
      if (c.kind === 'document' && c.filename) media.filename = c.filename;
      return Object.assign(base, { type: c.kind, [c.kind]: media });
    }
    case 'location':
      return Object.assign(base, {
        type: 'location',
        location: {
          latitude: c.latitude,
          longitude: c.longitude,
          ...(c.name ? { name: c.name } : {}),
          ...(c.address ? { address: c.address } : {}),
        },
      });
    case 'contacts':
      return Object.assign(base, {
        type: 'contacts',
        contacts: c.contacts.map((contact) => ({
          name: {
            formatted_name: contact.formattedName,
            ...(contact.firstName ? { first_name: contact.firstName } : {}),
            ...(contact.lastName ? { last_name: contact.lastName } : {}),
          },
          phones: contact.phones.map((phone) => ({ phone, type: 'CELL' })),
          ...(contact.emails.length ? { emails: contact.emails.map((email) => ({ email, type: 'WORK' })) } : {}),
          ...(contact.company ? { org: { company: contact.company } } : {}),
        })),
      });
    case 'reaction':
      return Object.assign(base, { type: 'reaction', reaction: { message_id: c.messageId, emoji: c.emoji } });
    case 'template':
      return Object.assign(base, {
        type: 'template',
        template: {
          name: c.name,
          language: { code: c.language },
          ...(c.components.length
            ? {
                components: c.components.map((k) => ({
                  type: k.type,
                  ...(k.subType ? { sub_type: k.subType } : {}),
                  ...(k.index !== undefined ? { index: String(k.index) } : {}),
                  parameters: k.parameters.map((p) => {
                    if ('link' in p) return { type: p.type, [p.type]: { link: p.link } };
                    if ('id' in p) return { type: p.type, [p.type]: { id: p.id } };
                    if (p.type === 'payload') return { type: 'payload', payload: p.text };
                    if (p.type === 'coupon_code') return { type: 'coupon_code', coupon_code: p.text };
                    return { type: 'text', ...(p.name ? { parameter_name: p.name } : {}), text: p.text };
                  }),
                })),
              }
            : {}),
        },
      });
    case 'buttons':
      return Object.assign(base, {
        type: 'interactive',
        interactive: {
          type: 'button',
          ...(c.header ? { header: { type: 'text', text: c.header } } : {}),
          body: { text: c.body },
          ...(c.footer ? { footer: { text: c.footer } } : {}),
          action: { buttons: c.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) },
        },
      });
    case 'list':
      return Object.assign(base, {
        type: 'interactive',
        interactive: {
          type: 'list',
          ...(c.header ? { header: { type: 'text', text: c.header } } : {}),
          body: { text: c.body },
          ...(c.footer ? { footer: { text: c.footer } } : {}),
          action: {
            button: c.button,
            sections: [
              {
                title: c.sectionTitle ?? c.button,
                rows: c.rows.map((r) => ({
                  id: r.id,
                  title: r.title,
                  ...(r.description ? { description: r.description } : {}),
                })),
              },
            ],
          },
        },
      });
  }
}
