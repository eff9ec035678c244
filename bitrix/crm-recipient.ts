import { z } from 'zod';
import { type Localized, say } from '../lib/i18n/catalogue';
import { normalizePhone } from '../lib/phone';
import { choosePhoneChecked, type HasWhatsApp, type PhoneValue } from './choose-recipient';
import type { PortalClient } from './portal-client';

const multiFieldSchema = z.array(z.object({ VALUE: z.string(), VALUE_TYPE: z.string().optional() })).optional();
const dealSchema = z.object({ CONTACT_ID: z.union([z.string(), z.number()]).nullish() }).loose();
const leadSchema = z
  .object({ PHONE: multiFieldSchema, CONTACT_ID: z.union([z.string(), z.number()]).nullish() })
  .loose();
const contactSchema = z.object({ PHONE: multiFieldSchema }).loose();
const itemSchema = z.object({ item: z.object({ contactId: z.union([z.number(), z.string()]).nullish() }).loose() });

export interface RecipientChoice {
  phone: string;
  /** Why this number was chosen (for the robot log), e.g. "the first mobile of 3 phones". */
  note: Localized;
}

/** From several CRM phones take the first mobile, else the first valid one; never fail on multi-values. */
export function choosePhone(
  values: Array<{ VALUE: string; VALUE_TYPE?: string }>,
  region: string,
): RecipientChoice | null {
  const parsed = values.flatMap((v) => {
    const phone = normalizePhone(v.VALUE, region);
    return phone ? [{ raw: v, phone }] : [];
  });
  const mobile = parsed.find((v) => v.raw.VALUE_TYPE === 'MOBILE' || v.phone.isMobile);
  const chosen = mobile ?? parsed[0];
  if (!chosen) return null;
  const phone = chosen.phone.digits;
  const note =
    values.length > 1
      ? say(mobile ? 'note.crm.first_mobile' : 'note.crm.first_valid', { count: values.length })
      : say('note.crm.contact_phone');
  return { phone, note };
}

/** The CRM note for a number picked with a WhatsApp check. */
async function pickChecked(values: PhoneValue[], region: string, hasWhatsApp: HasWhatsApp) {
  const picked = await choosePhoneChecked(values, region, hasWhatsApp);
  if (!picked) return null;
  const note =
    picked.how === 'first_with_whatsapp'
      ? say('wabaMedia.crmFirstWithWhatsApp', { count: values.length })
      : say('note.crm.contact_phone');
  return { phone: picked.phone, note };
}

/**
 * Reads the phone of the CRM document's contact (deal → contact, lead → own phones or contact,
 * item → contact); with `hasWhatsApp` (a provider that can check), the first number that has WhatsApp.
 */
export async function findDocumentPhone(
  bitrix: PortalClient,
  documentId: string[],
  region: string,
  hasWhatsApp?: HasWhatsApp,
): Promise<RecipientChoice | null> {
  const id = documentId[2] ?? '';
  const pick = async (values: PhoneValue[]) =>
    hasWhatsApp ? pickChecked(values, region, hasWhatsApp) : choosePhone(values, region);
  const fromContact = async (contactId: string | number | null | undefined) => {
    if (!contactId || String(contactId) === '0') return null;
    const contact = contactSchema.parse(await bitrix.call('crm.contact.get', { id: String(contactId) }));
    return pick(contact.PHONE ?? []);
  };
  let match = /^DEAL_(\d+)$/.exec(id);
  if (match) return fromContact(dealSchema.parse(await bitrix.call('crm.deal.get', { id: match[1] })).CONTACT_ID);
  match = /^LEAD_(\d+)$/.exec(id);
  if (match) {
    const lead = leadSchema.parse(await bitrix.call('crm.lead.get', { id: match[1] }));
    return (await pick(lead.PHONE ?? [])) ?? fromContact(lead.CONTACT_ID);
  }
  match = /^CONTACT_(\d+)$/.exec(id);
  if (match) return fromContact(match[1]);
  match = /^DYNAMIC_(\d+)_(\d+)$/.exec(id);
  if (match)
    return fromContact(
      itemSchema.parse(await bitrix.call('crm.item.get', { entityTypeId: match[1], id: match[2] })).item.contactId,
    );
  return null;
}
