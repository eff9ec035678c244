import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { isBsuid, normalizePhone, otherWhatsAppForm, splitPhoneList } from '../../../lib/phone';

describe('normalizePhone', () => {
  it.each(['+7 (900) 123-45-67', '8 900 123 45 67', '79001234567', '+79001234567'])('normalises %s', (input) => {
    expect(normalizePhone(input, 'RU')?.digits).toBe('79001234567');
  });

  it('rejects what is not a phone', () => {
    expect(normalizePhone('12345', 'RU')).toBeNull();
    expect(normalizePhone('hello', 'RU')).toBeNull();
    expect(normalizePhone('', 'RU')).toBeNull();
  });

  it('uses the default region for national numbers', () => {
    expect(normalizePhone('(650) 555-1234', 'US')?.digits).toBe('16505551234');
  });
});

describe('normalizePhone matches the type once (valid ⇔ libphonenumber isValid)', () => {
  // Every country has type patterns in the full metadata, so validity is read from the one type
  // match; this holds it against isValid() itself over numbers of many plans, valid or not.
  const samples = [
    ['+79161234567', 'RU'],
    ['+74951234567', 'RU'],
    ['+7916123456', 'RU'],
    ['89161234567', 'RU'],
    ['+14155552671', 'US'],
    ['+1415555267', 'US'],
    ['+442071838750', 'GB'],
    ['+447911123456', 'GB'],
    ['+5511912345678', 'BR'],
    ['+551112345678', 'BR'],
    ['+5215512345678', 'MX'],
    ['+80012345678', 'RU'],
    ['+870773111632', 'RU'],
    ['+882345678901', 'RU'],
    ['+97212345678', 'IL'],
    ['+4930123456', 'DE'],
    ['+491701234567', 'DE'],
    ['+861012345678', 'CN'],
    ['+123', 'US'],
    ['+99912345', 'RU'],
    ['0', 'RU'],
  ] as const;
  it.each(samples)('%s (%s)', (input, region) => {
    const parsed = parsePhoneNumberFromString(input, region);
    const expected = parsed?.isValid() ? parsed.number.slice(1) : null;
    expect(normalizePhone(input, region)?.digits ?? null).toBe(expected);
    if (parsed?.isValid()) {
      const type = parsed.getType();
      expect(normalizePhone(input, region)?.isMobile).toBe(type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE');
    }
  });
});

describe('splitPhoneList', () => {
  it('splits a multiple field rendered as text on commas, semicolons and line breaks', () => {
    expect(splitPhoneList('+7 900 111-22-33, 8 (912) 345-67-89')).toEqual(['+7 900 111-22-33', '8 (912) 345-67-89']);
    expect(splitPhoneList('79001112233;\n 89123456789 ,')).toEqual(['79001112233', '89123456789']);
    expect(splitPhoneList('+7 (900) 111-22-33')).toEqual(['+7 (900) 111-22-33']);
  });
});

describe('isBsuid', () => {
  it.each([
    ['US.13491208655302741918', true],
    ['RU.1234567890', true],
    ['US.ENT.11815799212886844830', true],
    ['79001112233', false],
    ['+7 900 111-22-33', false],
    ['us.123', false],
  ])('%s → %s', (value, bsuid) => {
    expect(isBsuid(value)).toBe(bsuid);
  });
});

describe('otherWhatsAppForm', () => {
  it.each([
    ['5511987654321', '551187654321'],
    ['551187654321', '5511987654321'],
    ['5511931234567', null],
    ['5511901234567', null],
    ['525512345678', '5215512345678'],
    ['5215512345678', '525512345678'],
    ['551132345678', null],
    ['79161234567', null],
    ['+5511987654321', null],
  ])('%s → %s', (digits, other) => {
    expect(otherWhatsAppForm(digits)).toBe(other);
  });
});
