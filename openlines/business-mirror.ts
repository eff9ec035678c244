import type { Clock } from '../lib/clock';
import { type Lang, t } from '../lib/i18n/catalogue';
import type { Logger } from '../lib/logger';
import type { OutboundContent } from '../providers/provider';
import type { Line } from '../store/line-store';
import type { OpenLineOutbox } from '../store/open-line-outbox';
import type { OpenLineStore } from '../store/open-line-store';
import { type PortalStore, portalLanguage } from '../store/portal-store';
import { chatIdOf, customerParts } from './customer-item';

/** What the customer got, as one readable text (buttons and list rows by their titles). */
export function contentText(content: OutboundContent, lang: Lang): string {
  switch (content.type) {
    case 'text':
      return content.body;
    case 'buttons':
      return [
        content.header,
        content.body,
        t(lang, 'openlines.buttons', { titles: content.buttons.map((b) => b.title).join(' | ') }),
      ]
        .filter(Boolean)
        .join('\n');
    case 'list':
      return [
        content.header,
        content.body,
        t(lang, 'openlines.buttons', { titles: content.rows.map((r) => r.title).join(' | ') }),
      ]
        .filter(Boolean)
        .join('\n');
    case 'media':
      return [content.caption, content.filename ?? content.link].filter(Boolean).join('\n');
    case 'location': {
      const place = [content.name, content.address].filter(Boolean).join(', ');
      return `${place ? t(lang, 'openlines.location', { place }) : t(lang, 'openlines.locationUnnamed')}\nhttps://maps.google.com/?q=${content.latitude},${content.longitude}`;
    }
    case 'contacts':
      return content.contacts
        .map((c) => [t(lang, 'openlines.contact', { name: c.formattedName }), ...c.phones].join('\n'))
        .join('\n\n');
    case 'template':
      return t(lang, 'openlines.template', { name: content.name, language: content.language });
    case 'reaction':
      return t(lang, 'openlines.reaction', { emoji: content.emoji });
  }
}

export interface BusinessMirrorDeps {
  openLines: Pick<OpenLineStore, 'forLine'>;
  openLineOutbox: Pick<OpenLineOutbox, 'enqueue'>;
  portals: Pick<PortalStore, 'get'>;
  clock: Clock;
  log: Logger;
}

/**
 * "Also show in the open-line chat": a message a robot sent appears in the customer's chat as the
 * business's (a grey system line; the installing user's message through the connector while the
 * customer has no chat yet), in order with the chat's other messages, once per provider message id.
 */
export function createBusinessMirror(deps: BusinessMirrorDeps) {
  return async function showInChat(
    line: Line,
    to: string,
    content: OutboundContent,
    providerMessageId: string,
  ): Promise<boolean> {
    if (!providerMessageId) return false;
    const attachment = await deps.openLines.forLine(line.memberId, line.id);
    const portal = await deps.portals.get(line.memberId);
    if (!attachment?.active || !portal) return false;
    const lang = portalLanguage(portal);
    const { user, chat } = customerParts(to, line.id, '');
    return deps.openLineOutbox.enqueue(line.memberId, chat.id, {
      kind: 'business',
      id: providerMessageId,
      openLineId: attachment.openLineId,
      chatId: chatIdOf(to, line.id),
      text: t(lang, 'openlines.businessSent', { text: contentText(content, lang) }),
      user,
      employeeId: portal.userId,
    });
  };
}

export type BusinessMirror = ReturnType<typeof createBusinessMirror>;
