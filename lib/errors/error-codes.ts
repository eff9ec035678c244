import { type Lang, t } from '../i18n/catalogue';
import type { MessageKey } from '../i18n/en';

/**
 * Stable error codes returned to robots and activities. Each code's text (with its advice) is the
 * catalogue entry `error.<code>` in lib/i18n/en.ts and ru.ts: add the code here and the two entries there.
 */
const codes = [
  'invalid_property',
  'invalid_phone',
  'no_recipient',
  'no_line',
  'unknown_line',
  'unknown_action',
  'window_closed',
  'rate_limited',
  'line_auth_failed',
  'undeliverable',
  'unsupported_message',
  'invalid_parameter',
  'template_params_mismatch',
  'template_not_found',
  'template_paused',
  'account_blocked',
  'provider_unavailable',
  'provider_error',
  'provider_quota_exceeded',
  'crm_not_found',
  'unsupported_by_provider',
  'portal_needs_reinstall',
  'internal_error',
  // A host that resolved to a non-public address when connecting (lib/connect-guard.ts).
  'address_refused',
  // The portal's own address refused when connecting: its work waits (workers/portal-address-refusal.ts).
  'portal_address_refused',
  'portal_address_refused_dropped',
  // A request on a connection pool closed as the process stops: not sent (lib/connect-guard.ts).
  'pool_closed',
  // The settings page (app/doors/settings-page-door.ts, portals/page-*.ts, lines/line-admin.ts).
  'page_auth_missing',
  'page_auth_refused',
  'page_session_missing',
  'page_session_invalid',
  'page_session_expired',
  'admin_required',
  'portal_not_installed',
  'line_conflict',
  // A line written only while it is as read (lines add --id, a rename, a rate): another change came first.
  'line_changed',
  'wait_not_found',
  'settings_page_not_built',
  // --- waba media: Cloud API codes with advice (waba-wire.md §1.5, §2) and file checks
  'spam_rate_limited',
  'marketing_limit',
  'marketing_opted_out',
  'media_download_failed',
  'media_upload_failed',
  'file_too_large',
  'file_type_unsupported',
  'file_download_failed',
  'template_text_too_long',
  'template_policy_violation',
  'template_param_format',
  'template_param_type',
  'template_disabled',
  'flow_blocked',
  'flow_throttled',
  'account_locked',
  // --- openlines: chat items dropped (the settings page's activity log)
  'open_line_switched_off',
  'open_line_detached',
  'open_line_not_delivered',
  'open_line_backlog_full',
  'open_line_not_connected',
] as const;

/**
 * Codes still written in the older shape, `code: { en, ru }` (work started before the catalogue):
 * accepted as is; move each into lib/i18n as `error.<code>` (and its name into `codes`) when convenient.
 */
const inlineTexts = {
  green_api_url_refused: {
    en: 'This Green-API address is not allowed: leave it empty or use the https address from the Green-API console',
    ru: 'Этот адрес Green-API не разрешён: оставьте поле пустым или укажите https-адрес из консоли Green-API',
  },
  queue_board_forbidden: {
    en: "Queues are shown to the app operator's administrators only",
    ru: 'Очереди видны только администраторам портала оператора приложения',
  },
} satisfies Record<string, Readonly<Record<Lang, string>>>;

type CatalogueCode = (typeof codes)[number];
export type ErrorCode = CatalogueCode | keyof typeof inlineTexts;

// Every listed code has its catalogue entry: a code without one fails tsc here.
const catalogueKeyOf = (code: CatalogueCode): MessageKey => `error.${code}` satisfies MessageKey;

const known = new Set<string>([...codes, ...Object.keys(inlineTexts)]);

/** Every code (for the catalogue's completeness test). */
export const ERROR_CODES: readonly string[] = [...known];

/** The code's text for people, with its advice, in `lang`. */
export function errorText(code: ErrorCode, lang: Lang): string {
  const inline: Readonly<Record<string, Readonly<Record<Lang, string>>>> = inlineTexts;
  const own = inline[code];
  if (own) return own[lang];
  return t(lang, catalogueKeyOf(code as CatalogueCode));
}

/** True when `code` is one of the catalogue's. */
export function isErrorCode(code: string): code is ErrorCode {
  return known.has(code);
}
