import { type Lang, type Localized, t } from '../lib/i18n/catalogue';

/** The robot-log line of a send: what went to whom, with the message id(s). */
export function sentLog(lang: Lang, what: Localized, to: string, ids: string[]): string {
  return t(lang, 'log.sent', { what, to, ids: ids.join(', ') });
}
