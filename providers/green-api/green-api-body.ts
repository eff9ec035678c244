import type { OutboundContent, OutboundMessage } from '../provider';

type Json = Record<string, unknown>;

/** One Green-API REST call: the method name in the URL and its JSON body. */
export interface GreenApiCall {
  method: string;
  body: Json;
}

/** `79001234567` → `79001234567@c.us` (a personal chat id). */
export function chatIdOf(phone: string): string {
  return `${phone.replace(/\D/g, '')}@c.us`;
}

/** The last path segment of a URL, for `fileName` (Green-API picks the file type by its extension). */
export function fileNameOf(link: string, fallback = 'file'): string {
  try {
    const last = decodeURIComponent(new URL(link).pathname.split('/').pop() ?? '');
    return last || fallback;
  } catch {
    return fallback;
  }
}

/**
 * Green-API picks the file type by the name's extension and refuses a name without one, so a
 * title ("Прайс") borrows the URL's extension ("Прайс.pdf").
 */
export function fileNameFor(title: string | undefined, link: string): string {
  const fromUrl = fileNameOf(link);
  if (!title) return fromUrl;
  if (/\.[A-Za-z0-9]{1,8}$/.test(title)) return title;
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(fromUrl)?.[0] ?? '';
  return `${title}${ext}`;
}

/**
 * Green-API has no reply buttons or lists (WhatsApp withdrew them from unofficial clients), so both
 * go as numbered text; the wait service's button mode accepts the number or the title as the answer.
 */
export function numberedText(content: Extract<OutboundContent, { type: 'buttons' | 'list' }>): string {
  const options =
    content.type === 'buttons'
      ? content.buttons.map((b, i) => `${i + 1}. ${b.title}`)
      : content.rows.map((r, i) => `${i + 1}. ${r.title}${r.description ? ` — ${r.description}` : ''}`);
  return [
    content.header ? `*${content.header}*` : '',
    content.body,
    options.join('\n'),
    content.footer ? `_${content.footer}_` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** Maps provider-neutral content to the Green-API method and body; null when Green-API has no such message. */
export function greenApiCall(message: OutboundMessage): GreenApiCall | null {
  const chatId = chatIdOf(message.to);
  const quoted = message.replyTo ? { quotedMessageId: message.replyTo } : {};
  const c = message.content;
  switch (c.type) {
    case 'text':
      return {
        method: 'sendMessage',
        body: {
          chatId,
          message: c.body,
          ...quoted,
          ...(c.previewUrl === undefined ? {} : { linkPreview: c.previewUrl }),
        },
      };
    case 'buttons':
    case 'list':
      return { method: 'sendMessage', body: { chatId, message: numberedText(c), ...quoted } };
    case 'media':
      // Green-API fetches files by link only: an uploaded (private) file cannot go this way.
      if (c.link === undefined) return null;
      // The file type follows the name's extension; a "document" of an image still shows as an image.
      return {
        method: 'sendFileByUrl',
        body: {
          chatId,
          urlFile: c.link,
          fileName: fileNameFor(c.filename, c.link),
          ...(c.caption && c.kind !== 'audio' && c.kind !== 'sticker' ? { caption: c.caption } : {}),
          ...quoted,
        },
      };
    case 'location':
      return {
        method: 'sendLocation',
        body: {
          chatId,
          latitude: c.latitude,
          longitude: c.longitude,
          ...(c.name ? { nameLocation: c.name } : {}),
          ...(c.address ? { address: c.address } : {}),
          ...quoted,
        },
      };
    case 'contacts': {
      // One contact with one phone per message: the first of each.
      const contact = c.contacts[0];
      const phone = contact?.phones[0]?.replace(/\D/g, '') ?? '';
      if (!contact || !phone) return null;
      const firstName = contact.firstName ?? contact.formattedName;
      return {
        method: 'sendContact',
        body: {
          chatId,
          contact: {
            phoneContact: Number(phone),
            firstName,
            ...(contact.lastName ? { lastName: contact.lastName } : {}),
            ...(contact.company ? { company: contact.company } : {}),
          },
          ...quoted,
        },
      };
    }
    case 'reaction':
    case 'template':
      return null;
  }
}
