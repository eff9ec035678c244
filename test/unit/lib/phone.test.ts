import { normalizePhone } from '../../../lib/phone';

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
