import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A phone in WhatsApp's form: E.164 digits, no '+'. */
export interface NormalizedPhone {
  digits: string;
  e164: string;
  isMobile: boolean;
}

/**
 * Normalises `+7 (900) 123-45-67`, `8 900 123 45 67` or `79001234567`; null when invalid.
 * Bare digits that already carry a country code are tried as international first.
 */
export function normalizePhone(input: string, defaultRegion: string): NormalizedPhone | null {
  const trimmed = input.trim();
  if (!trimmed) return null;
  const region = defaultRegion.toUpperCase() as CountryCode;
  const candidates = trimmed.startsWith('+') ? [trimmed] : [trimmed, `+${trimmed.replace(/\D/g, '')}`];
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, region);
    if (parsed?.isValid()) {
      const type = parsed.getType();
      return {
        digits: parsed.number.slice(1),
        e164: parsed.number,
        isMobile: type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE',
      };
    }
  }
  return null;
}
