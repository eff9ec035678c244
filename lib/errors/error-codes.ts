/** Stable error codes returned to robots and activities, with text and advice in both languages. */
const catalogue = {
  invalid_property: { en: 'Invalid property', ru: 'Неверное значение свойства' },
  invalid_phone: { en: 'Invalid phone number', ru: 'Неверный номер телефона' },
  no_recipient: {
    en: 'No recipient phone: set the phone property or add a phone to the contact',
    ru: 'Нет телефона получателя: укажите телефон или добавьте его контакту',
  },
  no_line: {
    en: 'No WhatsApp line is connected to this portal: connect one first',
    ru: 'К порталу не подключена линия WhatsApp: сначала подключите линию',
  },
  unknown_line: { en: 'Unknown WhatsApp line', ru: 'Неизвестная линия WhatsApp' },
  unknown_action: { en: 'Unknown robot or activity code', ru: 'Неизвестный код робота или действия' },
  window_closed: {
    en: 'More than 24 hours since the customer last wrote: send a template first',
    ru: 'С последнего сообщения клиента прошло больше 24 часов: сначала отправьте шаблон',
  },
  rate_limited: {
    en: 'WhatsApp rate limit reached and retries are exhausted: try again later',
    ru: 'Превышен лимит WhatsApp, повторы исчерпаны: попробуйте позже',
  },
  line_auth_failed: {
    en: "The line's WhatsApp access token is invalid or expired: reconnect the line",
    ru: 'Токен доступа линии WhatsApp недействителен или истёк: переподключите линию',
  },
  undeliverable: {
    en: 'Message undeliverable (the number may not use WhatsApp)',
    ru: 'Сообщение не может быть доставлено (возможно, номер не использует WhatsApp)',
  },
  unsupported_message: { en: 'Unsupported message type', ru: 'Неподдерживаемый тип сообщения' },
  invalid_parameter: { en: 'WhatsApp rejected a parameter', ru: 'WhatsApp отклонил параметр' },
  template_params_mismatch: {
    en: 'Template parameters do not match the template',
    ru: 'Параметры шаблона не совпадают с шаблоном',
  },
  template_not_found: {
    en: 'Template does not exist in this language or is not approved',
    ru: 'Шаблон не существует на этом языке или не одобрен',
  },
  account_blocked: {
    en: 'The WhatsApp account is temporarily blocked for policy violations',
    ru: 'Аккаунт WhatsApp временно заблокирован за нарушение правил',
  },
  provider_unavailable: {
    en: 'WhatsApp is unavailable and retries are exhausted',
    ru: 'WhatsApp недоступен, повторы исчерпаны',
  },
  provider_error: { en: 'WhatsApp error', ru: 'Ошибка WhatsApp' },
  provider_quota_exceeded: {
    en: "The WhatsApp gateway plan's limit is used up: upgrade the plan or wait for the next period",
    ru: 'Лимит тарифа WhatsApp-шлюза исчерпан: смените тариф или дождитесь следующего периода',
  },
  crm_not_found: { en: 'CRM record not found', ru: 'Запись CRM не найдена' },
  unsupported_by_provider: {
    en: "This line's provider cannot do this",
    ru: 'Провайдер этой линии не поддерживает это действие',
  },
  portal_needs_reinstall: {
    en: "Bitrix24 refuses the app's access even after a token refresh: a portal administrator must reinstall the app",
    ru: 'Битрикс24 отклоняет доступ приложения даже после обновления токенов: администратор портала должен переустановить приложение',
  },
  internal_error: { en: 'Internal error', ru: 'Внутренняя ошибка' },
} as const;

export type ErrorCode = keyof typeof catalogue;

export function errorText(code: ErrorCode, lang: 'ru' | 'en'): string {
  return catalogue[code][lang];
}

/** True when `code` is one of the catalogue's. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(catalogue, code);
}
