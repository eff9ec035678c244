import { z } from 'zod';
import { BitrixError } from '../bitrix/bitrix-error';
import type { PortalClient } from '../bitrix/portal-client';
import { ActionError } from '../lib/errors/app-error';
import { say } from '../lib/i18n/catalogue';

/** A contact card to send: what WhatsApp's contacts message carries. */
export interface ContactCard {
  formattedName: string;
  firstName?: string;
  lastName?: string;
  phones: string[];
  emails: string[];
  company?: string;
}

const multiField = z.array(z.object({ VALUE: z.string() }).loose()).optional();
const contactSchema = z
  .object({
    NAME: z.string().nullish(),
    LAST_NAME: z.string().nullish(),
    COMPANY_TITLE: z.string().nullish(),
    PHONE: multiField,
    EMAIL: multiField,
  })
  .loose();

/** Reads a CRM contact (`crm.contact.get`) as a card: all phones and e-mails, the company when present. */
export async function loadContactCard(bitrix: PortalClient, contactId: string): Promise<ContactCard> {
  let raw: unknown;
  try {
    raw = await bitrix.call('crm.contact.get', { id: contactId });
  } catch (error) {
    // Bitrix24 answers a missing contact with HTTP 400 "Not found": the robot's setting, not a fault to retry.
    if (error instanceof BitrixError && !error.retryable && (error.httpStatus === 400 || error.httpStatus === 404))
      throw new ActionError('crm_not_found', `contact ${contactId}`, {
        says: say('error.detail.crm_contact', { id: contactId }),
      });
    throw error;
  }
  const contact = contactSchema.parse(raw);
  const firstName = contact.NAME?.trim() || undefined;
  const lastName = contact.LAST_NAME?.trim() || undefined;
  const phones = (contact.PHONE ?? []).map((p) => p.VALUE.trim()).filter(Boolean);
  const emails = (contact.EMAIL ?? []).map((e) => e.VALUE.trim()).filter(Boolean);
  const formattedName = [firstName, lastName].filter(Boolean).join(' ') || phones[0] || `#${contactId}`;
  return { formattedName, firstName, lastName, phones, emails, company: contact.COMPANY_TITLE?.trim() || undefined };
}
