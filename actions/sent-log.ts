import type { I18n } from './property';

/** The robot-log line of a send: what went to whom, with the message id(s). */
export function sentLog(lang: 'ru' | 'en', what: I18n, to: string, ids: string[]): string {
  return `WhatsApp: ${what[lang]} → +${to} (${ids.join(', ')})`;
}
