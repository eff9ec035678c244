import { LANGS, langOf, t } from '../../../lib/i18n/catalogue';
import { en, type MessageKey } from '../../../lib/i18n/en';

describe('message catalogue', () => {
  it('picks the catalogue language from the portal language', () => {
    expect(langOf('ru')).toBe('ru');
    expect(langOf('by')).toBe('ru');
    expect(langOf('kz')).toBe('ru');
    expect(langOf('EN')).toBe('en');
    expect(langOf('de')).toBe('en');
    expect(langOf(undefined)).toBe('en');
  });

  it('renders every key in every language, with the same placeholders', () => {
    for (const key of Object.keys(en) as MessageKey[]) {
      const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const lang of LANGS) {
        const text = t(lang, key);
        expect(text.trim().length).toBeGreaterThan(0);
        expect(placeholders(text)).toEqual(placeholders(t('en', key)));
      }
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('en', 'common.yes', { x: 1 })).toBe('Yes');
  });
});
