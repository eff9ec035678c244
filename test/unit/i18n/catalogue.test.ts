import { ERROR_CODES, errorText, isErrorCode } from '../../../lib/errors/error-codes';
import { LANGS, langOf, render, say, t } from '../../../lib/i18n/catalogue';
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

  it('has a text for every error code in every language', () => {
    for (const code of ERROR_CODES) {
      if (!isErrorCode(code)) throw new Error(`${code} is listed but not a code`);
      for (const lang of LANGS) expect(errorText(code, lang).trim().length).toBeGreaterThan(0);
    }
    expect(errorText('no_line', 'ru')).toMatch(/линия WhatsApp/);
  });

  it('has words for the code an unconfirmed open-line attach raises (imconnector.status)', () => {
    expect(ERROR_CODES).toContain('open_line_not_connected');
    expect(errorText('open_line_not_connected', 'en')).toMatch(/did not confirm the WhatsApp channel/);
    expect(errorText('open_line_not_connected', 'ru')).toMatch(/не подтвердил канал WhatsApp/);
  });

  it('renders deferred entries with nested entries and words in one language', () => {
    const issue = say('prop.issue', {
      property: { ru: 'Заголовок', en: 'Header' },
      issue: say('prop.max_chars', { max: 60 }),
    });
    expect(render('ru', issue)).toBe('«Заголовок»: не более 60 символов');
    expect(render('en', issue)).toBe('Header: at most 60 characters');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('en', 'common.yes', { x: 1 })).toBe('Yes');
  });

  it('renders every entry as a placeholder-by-placeholder replace would, each time', () => {
    // The entries are split once and kept (catalogue.ts): the same answer on every rendering.
    const replaced = (text: string, vars: Record<string, string>) =>
      text.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
    for (const key of Object.keys(en) as MessageKey[]) {
      for (const lang of LANGS) {
        const names = [...t(lang, key).matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
        // Every placeholder but the last filled (that one stays visible), with a value that looks like one.
        const vars = Object.fromEntries(names.slice(0, -1).map((name, i) => [name, `{v${i}}$&`]));
        for (let round = 0; round < 2; round += 1) expect(t(lang, key, vars)).toBe(replaced(t(lang, key), vars));
      }
    }
  });
});
