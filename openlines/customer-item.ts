import { z } from 'zod';
import { type Lang, t } from '../lib/i18n/catalogue';
import type { ChatItem } from '../store/open-line-outbox';

/** The parts of an inbound WhatsApp message a chat shows (whatsapp-wire.md §1); the rest is ignored. */
const shownMessageSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    timestamp: z.string().optional(),
    text: z.object({ body: z.string() }).optional(),
    interactive: z
      .object({
        button_reply: z.object({ title: z.string() }).optional(),
        list_reply: z.object({ title: z.string() }).optional(),
      })
      .loose()
      .optional(),
    button: z.object({ text: z.string().optional() }).optional(),
    location: z
      .object({
        latitude: z.coerce.number(),
        longitude: z.coerce.number(),
        name: z.string().optional(),
        address: z.string().optional(),
      })
      .optional(),
    contacts: z
      .array(
        z
          .object({
            name: z
              .object({ formatted_name: z.string().optional(), first_name: z.string().optional() })
              .loose()
              .optional(),
            phones: z
              .array(z.object({ phone: z.string().optional(), wa_id: z.string().optional() }).loose())
              .optional(),
          })
          .loose(),
      )
      .optional(),
    reaction: z.object({ emoji: z.string().optional() }).loose().optional(),
    system: z.object({ body: z.string().optional() }).loose().optional(),
  })
  .loose();

const mediaTypes = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
const mediaSchema = z
  .object({
    id: z.string(),
    mime_type: z.string().optional(),
    filename: z.string().optional(),
    caption: z.string().optional(),
  })
  .loose();

const extensions: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'application/pdf': 'pdf',
};

/** A media file of a message: its provider id and the name Bitrix24 will store it under. */
export interface MessageMedia {
  type: string;
  mediaId: string;
  name: string;
  caption?: string;
}

/** The media a message carries, if any. */
export function mediaOf(raw: Record<string, unknown>): MessageMedia | null {
  const type = typeof raw.type === 'string' ? raw.type : '';
  if (!(mediaTypes as readonly string[]).includes(type)) return null;
  const media = mediaSchema.safeParse(raw[type]);
  if (!media.success) return null;
  const mime = (media.data.mime_type ?? '').split(';')[0]?.trim() ?? '';
  const ext = extensions[mime] ?? mime.split('/')[1] ?? 'bin';
  const name = media.data.filename?.replace(/[/\\]/g, '_') || `${type}-${media.data.id}.${ext}`;
  return { type, mediaId: media.data.id, name, caption: media.data.caption };
}

/** What a chat shows for a message that is not plain text or media. */
export function textOf(raw: Record<string, unknown>, lang: Lang): string {
  const parsed = shownMessageSchema.safeParse(raw);
  if (!parsed.success) return t(lang, 'openlines.unsupported', { type: String(raw.type ?? '?') });
  const m = parsed.data;
  if (m.text) return m.text.body;
  const chosen = m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? m.button?.text;
  if (chosen !== undefined) return chosen;
  if (m.location) {
    const { latitude, longitude, name, address } = m.location;
    const place = [name, address].filter(Boolean).join(', ');
    const head = place ? t(lang, 'openlines.location', { place }) : t(lang, 'openlines.locationUnnamed');
    return `${head}\nhttps://maps.google.com/?q=${latitude},${longitude}`;
  }
  if (m.contacts?.length) {
    return m.contacts
      .map((c) => {
        const name = c.name?.formatted_name ?? c.name?.first_name ?? '';
        const phones = (c.phones ?? []).map((p) => p.phone ?? (p.wa_id ? `+${p.wa_id}` : '')).filter(Boolean);
        return [t(lang, 'openlines.contact', { name }), ...phones].join('\n');
      })
      .join('\n\n');
  }
  if (m.type === 'reaction')
    return m.reaction?.emoji
      ? t(lang, 'openlines.reaction', { emoji: m.reaction.emoji })
      : t(lang, 'openlines.reactionRemoved');
  if (m.type === 'system') return m.system?.body ?? '';
  return t(lang, 'openlines.unsupported', { type: m.type });
}

/** A profile name as the connector takes it: letters, spaces, hyphens and apostrophes, at most 25 (§4). */
export function connectorName(profileName: string): string {
  return profileName
    .replace(/[^\p{L}\s'-]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 25)
    .trim();
}

/** The chat id of a customer on a line: stable, and it names the customer again on operator events. */
export function chatIdOf(waId: string, lineId: string): string {
  return `${waId}-${lineId}`;
}

/** The customer's WhatsApp id and the line of a chat id (`chatIdOf` reversed), or null. */
export function parseChatId(chatId: string): { waId: string; lineId: string } | null {
  const m = /^([0-9]+)-([A-Za-z0-9_-]+)$/.exec(chatId);
  return m?.[1] && m[2] ? { waId: m[1], lineId: m[2] } : null;
}

/** The customer parts of a chat item: user id from the WhatsApp id, the phone for the CRM binding. */
export function customerParts(
  waId: string,
  lineId: string,
  profileName: string,
): Pick<Extract<ChatItem, { kind: 'customer' }>, 'user' | 'chat'> {
  const name = connectorName(profileName);
  return {
    user: { id: waId, phone: `+${waId}`, url: `https://wa.me/${waId}`, ...(name ? { name } : {}) },
    chat: { id: chatIdOf(waId, lineId), url: `https://wa.me/${waId}` },
  };
}

/**
 * How a note reaches a chat the app may not post in: through the connector as the installing
 * employee (none when the chat id names no customer).
 */
export function noteViaConnector(
  openLineId: string,
  chatId: string,
  employeeId: number,
): { viaConnector?: { openLineId: string; chatId: string; user: { id: string; phone?: string }; employeeId: number } } {
  const customer = parseChatId(chatId);
  if (!customer) return {};
  const { user } = customerParts(customer.waId, customer.lineId, '');
  return { viaConnector: { openLineId, chatId, user, employeeId } };
}
