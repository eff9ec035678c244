import { ActionError } from '../../lib/errors/app-error';
import { say } from '../../lib/i18n/catalogue';
import type { OutboundContent, OutboundMessage } from '../provider';

type Json = Record<string, unknown>;

/** One GupShup gateway request: the path under the API host and its form fields (waba-wire.md §5.1, §5.2). */
export interface GupshupCall {
  path: '/wa/api/v1/msg' | '/wa/api/v1/template/msg';
  form: Record<string, string>;
}

/** Where a template is sent: GupShup names templates by its own id (a UUID), not Meta's name. */
export interface GupshupTemplateRef {
  id: string;
}

type Media = Extract<OutboundContent, { type: 'media' }>;
type Template = Extract<OutboundContent, { type: 'template' }>;

/** GupShup's message JSON for a file: documents are `file`; by uploaded id or by link (§5.1). */
function mediaMessage(c: Media): Json {
  const type = c.kind === 'document' ? 'file' : c.kind;
  // GupShup refuses a null caption: an absent one is left out, never sent empty-as-null (glific).
  const caption = c.caption && (c.kind === 'image' || c.kind === 'video' || c.kind === 'document') ? c.caption : '';
  const source =
    c.mediaId !== undefined
      ? { id: c.mediaId }
      : c.kind === 'image'
        ? { originalUrl: c.link, previewUrl: c.link }
        : { url: c.link };
  return {
    type,
    ...source,
    ...(caption ? { caption } : {}),
    ...(c.kind === 'document' && c.filename ? { filename: c.filename } : {}),
  };
}

/** The session-message JSON (`message` form field) of one content, or null for what GupShup cannot send. */
export function gupshupMessage(c: OutboundContent): Json | null {
  switch (c.type) {
    case 'text':
      return { type: 'text', text: c.body, previewUrl: c.previewUrl ?? false };
    case 'media':
      return mediaMessage(c);
    case 'location':
      return {
        type: 'location',
        longitude: c.longitude,
        latitude: c.latitude,
        ...(c.name ? { name: c.name } : {}),
        ...(c.address ? { address: c.address } : {}),
      };
    case 'contacts': {
      // One card per message: GupShup's `contact` type carries a single contact.
      const [card, ...more] = c.contacts;
      if (!card || more.length)
        throw new ActionError('invalid_parameter', 'GupShup sends exactly one contact card', {
          says: say('wabaMedia.gupshupOneContact'),
        });
      return {
        type: 'contact',
        contact: {
          name: {
            formatted_name: card.formattedName,
            ...(card.firstName ? { first_name: card.firstName } : {}),
            ...(card.lastName ? { last_name: card.lastName } : {}),
          },
          phones: card.phones.map((phone) => ({ phone, type: 'CELL' })),
          ...(card.emails.length ? { emails: card.emails.map((email) => ({ email, type: 'WORK' })) } : {}),
          ...(card.company ? { org: { company: card.company } } : {}),
        },
      };
    }
    case 'buttons':
      // `postbackText` is the only per-option value GupShup gives back on a tap (§5.4): our button id.
      return {
        type: 'quick_reply',
        msgid: 'qr',
        content: {
          type: 'text',
          ...(c.header ? { header: c.header } : {}),
          text: c.body,
          ...(c.footer ? { caption: c.footer } : {}),
        },
        options: c.buttons.map((b) => ({ type: 'text', title: b.title, postbackText: b.id })),
      };
    case 'list':
      return {
        type: 'list',
        ...(c.header ? { title: c.header } : {}),
        body: c.body,
        ...(c.footer ? { footer: c.footer } : {}),
        msgid: 'list',
        globalButtons: [{ type: 'text', title: c.button }],
        items: [
          {
            title: c.sectionTitle ?? c.button,
            subtitle: c.sectionTitle ?? c.button,
            options: c.rows.map((r) => ({
              type: 'text',
              title: r.title,
              ...(r.description ? { description: r.description } : {}),
              postbackText: r.id,
            })),
          },
        ],
      };
    case 'template':
    case 'reaction':
      return null;
  }
}

/**
 * The template fields (§5.2): positional `params` (header text, then body, then URL-button
 * suffixes, in order), a media header as `message`, quick-reply payloads as `postbackTexts`.
 */
export function gupshupTemplateFields(c: Template, ref: GupshupTemplateRef): Record<string, string> {
  const params: string[] = [];
  const postbacks: Array<{ index: number; text: string }> = [];
  let header: Json | undefined;
  const order = { header: 0, body: 1, button: 2 } as const;
  for (const component of [...c.components].sort((a, b) => order[a.type] - order[b.type])) {
    for (const p of component.parameters) {
      if ('link' in p) header = { type: p.type, [p.type]: { link: p.link } };
      else if ('id' in p) header = { type: p.type, [p.type]: { id: p.id } };
      else if (p.type === 'payload') postbacks.push({ index: component.index ?? 0, text: p.text });
      else params.push(p.text);
    }
  }
  return {
    template: JSON.stringify({ id: ref.id, params }),
    ...(header ? { message: JSON.stringify(header) } : {}),
    ...(postbacks.length ? { postbackTexts: JSON.stringify(postbacks) } : {}),
  };
}

/** The common form fields of every send: channel, business number, customer, app name (§5.1). */
export function gupshupEnvelope(message: OutboundMessage, line: { source: string; appName: string }) {
  return {
    channel: 'whatsapp',
    source: line.source,
    destination: message.to.replace(/\D/g, ''),
    'src.name': line.appName,
  };
}
