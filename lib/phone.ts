import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A phone in WhatsApp's form: E.164 digits, no '+'. */
export interface NormalizedPhone {
  readonly digits: string;
  readonly e164: string;
  readonly isMobile: boolean;
}

/**
 * Normalises `+7 (900) 123-45-67`, `8 900 123 45 67` or `79001234567`; null when invalid.
 * Bare digits that already carry a country code are tried as international first.
 */
export function normalizePhone(input: string, defaultRegion: string): NormalizedPhone | null {
  // libphonenumber's full metadata parse costs ≈ 40 µs: the same few numbers recur (one per
  // customer, every message), so answers are kept, frozen, in a bounded map cleared when full.
  const key = `${defaultRegion}\u0000${input}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const answer = parsePhone(input, defaultRegion);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, answer === null ? null : Object.freeze(answer));
  return answer;
}

const CACHE_LIMIT = 10_000;
const cache = new Map<string, NormalizedPhone | null>();

function parsePhone(input: string, defaultRegion: string): NormalizedPhone | null {
  const trimmed = input.trim();
  if (!trimmed) return null;
  const region = defaultRegion.toUpperCase() as CountryCode;
  const candidates = trimmed.startsWith('+') ? [trimmed] : [trimmed, `+${trimmed.replace(/\D/g, '')}`];
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, region);
    // Where the metadata has type patterns (the full "max" set: every country) `isValid()` is
    // `getType() !== undefined` (libphonenumber-js isValid.js): the type is matched once, not twice.
    // That saves only on a cache miss (the answers are kept above), i.e. a number not seen lately.
    const type = parsed?.getType();
    if (parsed && (type !== undefined || parsed.isValid())) {
      return {
        digits: parsed.number.slice(1),
        e164: parsed.number,
        isMobile: type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE',
      };
    }
  }
  return null;
}

/**
 * A business-scoped user id (whatsapp-wire.md §0.1): ISO-3166 alpha-2, `.`, up to 128 letters
 * and digits (parent ids: `US.ENT.…`). WhatsApp names a customer who shared no phone by it.
 */
const BSUID = /^[A-Z]{2}(?:\.ENT)?\.[A-Za-z0-9]{1,128}$/;

/** True for a business-scoped user id (not a phone number). */
export function isBsuid(value: string): boolean {
  return BSUID.test(value.trim());
}

/**
 * The numbers of a phone property holding several as text, as Bitrix24 renders a multiple field
 * (`+7 900 111-22-33, 8 (912) 345-67-89`): split on commas, semicolons and line breaks.
 */
export function splitPhoneList(text: string): string[] {
  return text
    .split(/[,;\n\r]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}

/**
 * The other form a customer's WhatsApp id may take for the number dialled (whatsapp-wire.md: wa_id
 * "may not always match"): Brazil's mobiles with or without the 9 after the area code (55 DD 9XXXXXXXX
 * ↔ 55 DD XXXXXXXX), Mexico's with or without the 1 after 52 (52 + 10 digits ↔ 521 + 10 digits).
 * Null for every other number. In Brazil only a mobile has the other form: the 9 was put in front of
 * the old 8-digit mobiles, which began with 6–9, so `55 DD 9 [0-5]…` without its 9 would be a
 * landline (a different customer, often a WhatsApp Business account), never the same person.
 */
export function otherWhatsAppForm(digits: string): string | null {
  if (/^55\d{2}9[6-9]\d{7}$/.test(digits)) return `${digits.slice(0, 4)}${digits.slice(5)}`;
  if (/^55\d{2}[6-9]\d{7}$/.test(digits)) return `${digits.slice(0, 4)}9${digits.slice(4)}`;
  if (/^521\d{10}$/.test(digits)) return `52${digits.slice(3)}`;
  if (/^52\d{10}$/.test(digits)) return `521${digits.slice(2)}`;
  return null;
}
