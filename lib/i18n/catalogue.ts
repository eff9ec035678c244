// The one message catalogue: `t(lang, key, vars)` renders a catalogue entry in the portal's
// language. Adding a language is one file typed like ru.ts plus one line in CATALOGUES.
import { en, type MessageKey } from './en';
import { ru } from './ru';

export type { MessageKey } from './en';

const CATALOGUES = { en, ru } satisfies Record<string, Record<MessageKey, string>>;

export type Lang = keyof typeof CATALOGUES;
export const LANGS = Object.keys(CATALOGUES) as Lang[];

/** Portal languages that read another catalogue (Bitrix24 language codes). */
const FALLBACK: Readonly<Record<string, Lang>> = { by: 'ru', kz: 'ru' };

/** The catalogue language for a Bitrix24 language code (`LANG`, `lang`): by/kz → ru, unknown → en. */
export function langOf(code: string | undefined | null): Lang {
  const c = (code ?? '').toLowerCase().slice(0, 2);
  if (c in CATALOGUES) return c as Lang;
  return FALLBACK[c] ?? 'en';
}

/** Renders `key` in `lang`, replacing `{name}` placeholders by `vars[name]` (left as is when absent). */
export function t(lang: Lang, key: MessageKey, vars?: Readonly<Record<string, string | number>>): string {
  const text: string = CATALOGUES[lang][key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = vars[name];
    return v === undefined ? whole : String(v);
  });
}
