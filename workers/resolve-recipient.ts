import { recipientProperties } from '../actions/common-properties';
import { choosePhoneChecked, type HasWhatsApp, type PickedPhone } from '../bitrix/choose-recipient';
import { findDocumentPhone } from '../bitrix/crm-recipient';
import type { PortalClient } from '../bitrix/portal-client';
import { ActionError } from '../lib/errors/app-error';
import { type Lang, type MessageKey, say, t } from '../lib/i18n/catalogue';
import { isBsuid, normalizePhone, splitPhoneList } from '../lib/phone';
import type { LineSender } from '../lines/line-sender';
import type { WhatsAppProvider } from '../providers/provider';
import type { Line } from '../store/line-store';

export interface RecipientRequest {
  /** The phone property as given (maybe several numbers as text, maybe a BSUID); undefined: the CRM's. */
  explicit: string | undefined;
  provider: WhatsAppProvider;
  line: Line;
  lineSender: Pick<LineSender, 'withSlot'>;
  bitrix: PortalClient;
  documentId: string[];
  region: string;
  lang: Lang;
  /** Where the choice is explained for the robot log. */
  notes: string[];
}

/** The catalogue words for how a number was picked from several. */
const HOW: Record<PickedPhone['how'], MessageKey> = {
  only: 'wabaMedia.firstValid',
  first_mobile: 'wabaMedia.firstMobile',
  first_valid: 'wabaMedia.firstValid',
  first_with_whatsapp: 'wabaMedia.firstWithWhatsApp',
};

/** The provider's "has this number WhatsApp" (inside the line's limit), where it can tell. */
function whatsAppCheck(r: RecipientRequest): HasWhatsApp | undefined {
  const check = r.provider.checkNumber?.bind(r.provider);
  if (!check || !r.provider.capabilities.has('check_number')) return undefined;
  return async (digits) => (await r.lineSender.withSlot(r.line, () => check(digits))).exists;
}

const invalidPhone = (value: string) =>
  new ActionError('invalid_phone', `"${value}"`, {
    says: say('error.detail.invalid_phone', { field: recipientProperties.phone.descriptor.Name, value }),
  });

/**
 * The customer to send to: a BSUID as is (where the provider sends to user ids), one of several
 * numbers in the phone property (chosen like a CRM multi-field), one number, or the CRM
 * document's contact phone. E.164 digits, or the BSUID.
 */
export async function resolveRecipient(r: RecipientRequest): Promise<string> {
  const { explicit, region } = r;
  if (explicit && isBsuid(explicit)) {
    if (!r.provider.capabilities.has('recipient_user_id'))
      throw new ActionError(
        'invalid_phone',
        `"${explicit}" is a WhatsApp user id; ${r.provider.kind} sends to numbers only`,
        {
          says: say('wabaMedia.userIdNotSupported', { value: explicit, provider: r.provider.kind }),
        },
      );
    return explicit.trim();
  }
  if (explicit) {
    const parts = splitPhoneList(explicit);
    if (parts.length > 1) {
      const check = whatsAppCheck(r);
      const chosen = await choosePhoneChecked(
        parts.map((VALUE) => ({ VALUE })),
        region,
        check,
      );
      if (!chosen) {
        if (check && parts.some((p) => normalizePhone(p, region)))
          throw new ActionError('undeliverable', `none of ${parts.length} numbers has WhatsApp`, {
            says: say('wabaMedia.noneWithWhatsApp', { count: parts.length, value: explicit }),
          });
        throw invalidPhone(explicit);
      }
      const how = t(r.lang, HOW[chosen.how]);
      r.notes.push(t(r.lang, 'wabaMedia.recipientChosen', { count: parts.length, phone: chosen.phone, how }));
      return chosen.phone;
    }
    const phone = normalizePhone(explicit, region);
    if (!phone) throw invalidPhone(explicit);
    return phone.digits;
  }
  const found = await findDocumentPhone(r.bitrix, r.documentId, region, whatsAppCheck(r));
  if (!found) {
    const document = r.documentId[2] ?? '';
    throw new ActionError('no_recipient', document, { says: say('error.detail.no_recipient', { document }) });
  }
  r.notes.push(t(r.lang, 'note.phone_from_crm', { how: found.note }));
  return found.phone;
}
