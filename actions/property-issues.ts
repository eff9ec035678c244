import type { z } from 'zod';
import { ActionError } from '../lib/errors/app-error';
import { type Localized, say, type Var } from '../lib/i18n/catalogue';
import type { MessageKey } from '../lib/i18n/en';
import type { AnyAction } from './define-action';
import type { PropertyDescriptor } from './property';

/** The property's name as the robot's settings show it (its code when the action has no such property). */
function propertyName(action: Pick<AnyAction, 'properties'>, code: string): Var {
  return action.properties[code]?.descriptor.Name ?? code;
}

/**
 * One problem with one property, in the catalogue's words: «Заголовок»: не более 60 символов.
 * `line` numbers the value of a multi-line property (1-based).
 */
function issueAbout(property: Var, issue: Localized, line?: number): Localized {
  return line === undefined
    ? say('prop.issue', { property, issue })
    : say('prop.item_issue', { property, line, issue });
}

/** `invalid_property` naming one property's problem (the property by its code in `action`). */
export function invalidProperty(
  action: Pick<AnyAction, 'properties'>,
  code: string,
  key: MessageKey,
  vars?: Readonly<Record<string, Var>>,
  line?: number,
): ActionError {
  return invalidNamed(propertyName(action, code), key, vars, line);
}

/** `invalid_property` for a property named by its words (one several actions share under other codes). */
export function invalidNamed(
  property: Var,
  key: MessageKey,
  vars?: Readonly<Record<string, Var>>,
  line?: number,
): ActionError {
  return new ActionError('invalid_property', '', { says: issueAbout(property, say(key, vars), line) });
}

/** What a zod issue says, without zod's English message. */
function issueWords(
  issue: z.core.$ZodIssue,
  missing: boolean,
  { Options: options, Type: type }: Partial<Pick<PropertyDescriptor, 'Options' | 'Type'>>,
): Localized {
  switch (issue.code) {
    case 'too_big':
      if (issue.origin === 'string') return say('prop.max_chars', { max: String(issue.maximum) });
      if (issue.origin === 'array') return say('prop.max_values', { max: String(issue.maximum) });
      return say('prop.at_most', { max: String(issue.maximum) });
    case 'too_small':
      if (issue.origin === 'array') return say('prop.min_values', { min: String(issue.minimum) });
      if (issue.origin === 'string') return say('prop.required');
      return say('prop.at_least', { min: String(issue.minimum) });
    case 'invalid_type':
      if (missing) return say('prop.required');
      // Text that is no plain decimal fails as "not a number" before the whole-number check can.
      if (issue.expected === 'int' || (issue.expected === 'number' && type === 'int')) return say('prop.whole_number');
      if (issue.expected === 'number') return say('prop.number');
      return say('prop.invalid');
    case 'invalid_value': {
      const values = issue.values.map(String);
      if (values.includes('Y') && values.includes('N')) return say('prop.yes_no');
      // A select names its choices as the settings show them, in the portal's language.
      const labels = values.map((v) => options?.[v] ?? { ru: v, en: v });
      const list = { ru: labels.map((l) => l.ru).join(', '), en: labels.map((l) => l.en).join(', ') };
      return say('prop.one_of', { values: list });
    }
    default:
      return say('prop.invalid');
  }
}

/** Each zod issue of an action's inputs, naming its property in the portal's words. */
export function propertyIssues(
  action: Pick<AnyAction, 'properties'>,
  error: z.ZodError,
  raw: Readonly<Record<string, unknown>>,
): Localized[] {
  return error.issues.map((issue) => {
    const [code, index] = issue.path;
    const line = typeof index === 'number' ? index + 1 : undefined;
    const value = raw[String(code)];
    const missing = isBlank(value) || (Array.isArray(value) && value.every(isBlank));
    const descriptor = action.properties[String(code)]?.descriptor ?? {};
    return issueAbout(propertyName(action, String(code ?? 'properties')), issueWords(issue, missing, descriptor), line);
  });
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
