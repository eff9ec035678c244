import { normalizePhone } from '../lib/phone';

/** A phone value as a CRM multi-field carries it (or as a number split from a text property). */
export interface PhoneValue {
  VALUE: string;
  VALUE_TYPE?: string;
}

/** Asks the line's provider whether a number (E.164 digits) has WhatsApp. */
export type HasWhatsApp = (digits: string) => Promise<boolean>;

/** A number picked from several, and how. */
export interface PickedPhone {
  phone: string;
  how: 'only' | 'first_mobile' | 'first_valid' | 'first_with_whatsapp';
}

/** At most this many numbers are asked about (each ask is a provider request). */
const MAX_CHECKS = 5;

/**
 * From several phones: where the provider can check, the first valid number that has WhatsApp
 * (mobiles first); else the first mobile, else the first valid. Null when none is valid or
 * (checked) none has WhatsApp.
 */
export async function choosePhoneChecked(
  values: PhoneValue[],
  region: string,
  hasWhatsApp: HasWhatsApp | undefined,
): Promise<PickedPhone | null> {
  const parsed = values.flatMap((v) => {
    const phone = normalizePhone(v.VALUE, region);
    return phone ? [{ raw: v, phone }] : [];
  });
  const isMobile = (p: (typeof parsed)[number]) => p.raw.VALUE_TYPE === 'MOBILE' || p.phone.isMobile;
  const ordered = [...parsed.filter(isMobile), ...parsed.filter((p) => !isMobile(p))];
  if (hasWhatsApp && parsed.length > 1) {
    for (const candidate of ordered.slice(0, MAX_CHECKS)) {
      if (await hasWhatsApp(candidate.phone.digits))
        return { phone: candidate.phone.digits, how: 'first_with_whatsapp' };
    }
    return null;
  }
  const chosen = ordered[0];
  if (!chosen) return null;
  if (values.length === 1) return { phone: chosen.phone.digits, how: 'only' };
  return { phone: chosen.phone.digits, how: isMobile(chosen) ? 'first_mobile' : 'first_valid' };
}
