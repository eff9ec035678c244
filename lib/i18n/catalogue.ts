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

/**
 * A text given in several languages at once (an action's own names and descriptions): English and
 * Russian always; a language added later falls back to English until its words are written.
 */
export type Words = Readonly<{ en: string; ru: string } & Partial<Record<Lang, string>>>;

/** A catalogue entry not rendered yet: made where the language is unknown, rendered where it is. */
export interface Localized {
  key: MessageKey;
  vars?: Readonly<Record<string, Var>>;
}

/** A placeholder value: language-free (ids, codes, numbers), or words rendered in the same language. */
export type Var = string | number | Words | Localized;

/** A catalogue entry to render later (`render(lang, say(...))`). */
export function say(key: MessageKey, vars?: Readonly<Record<string, Var>>): Localized {
  return vars ? { key, vars } : { key };
}

function isLocalized(v: object): v is Localized {
  return 'key' in v;
}

/** Renders `key` in `lang`, replacing `{name}` placeholders by `vars[name]` (left as is when absent). */
export function t(lang: Lang, key: MessageKey, vars?: Readonly<Record<string, Var>>): string {
  const text: string = CATALOGUES[lang][key];
  if (!vars) return text;
  const parts = partsOf(text);
  let out = parts[0] ?? '';
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] ?? '';
    const v = vars[name];
    out += (v === undefined ? `{${name}}` : renderVar(lang, v)) + (parts[i + 1] ?? '');
  }
  return out;
}

/**
 * An entry split at its `{name}` placeholders once (text, name, text, …): a regex replace per
 * rendering was a visible share of the worker's CPU per sent message (its robot-log line; issue 10).
 * Keyed by the entry's text, so bounded by the catalogues.
 */
const splitEntries = new Map<string, readonly string[]>();

function partsOf(text: string): readonly string[] {
  let parts = splitEntries.get(text);
  if (!parts) {
    // A capture group in split keeps the names at the odd places.
    parts = text.split(/\{(\w+)\}/);
    splitEntries.set(text, parts);
  }
  return parts;
}

function renderVar(lang: Lang, v: Var): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return isLocalized(v) ? t(lang, v.key, v.vars) : (v[lang] ?? v.en);
}

/** Renders a deferred entry, words in every language, or a language-free string. */
export function render(lang: Lang, text: Var): string {
  return renderVar(lang, text);
}
