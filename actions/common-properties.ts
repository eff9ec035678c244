import { prop, returnProp } from './property';

/** Inputs every send action shares. */
export const sendProperties = {
  line: prop.string({
    name: { ru: 'Линия WhatsApp', en: 'WhatsApp line' },
    description: {
      ru: 'ID или название линии; пусто — первая линия портала',
      en: "Line id or name; empty = the portal's first line",
    },
  }),
  phone: prop.string({
    name: { ru: 'Телефон получателя', en: 'Recipient phone' },
    description: { ru: 'Пусто — телефон контакта сделки/лида', en: 'Empty = the phone of the deal/lead contact' },
  }),
  reply_to: prop.string({ name: { ru: 'Ответ на сообщение (ID)', en: 'Reply to message id' } }),
  show_in_chat: prop.bool({
    name: { ru: 'Показать в чате открытой линии', en: 'Also show in the open-line chat' },
    default: false,
  }),
  wait_for: prop.select({
    name: { ru: 'Ждать', en: 'Wait for' },
    description: {
      ru: 'Вернуть результат сразу, после доставки или после прочтения',
      en: 'Return at once, after delivery, or after the customer read it',
    },
    options: { nothing: 'Nothing / Ничего', delivered: 'Delivered / Доставлено', read: 'Read / Прочитано' },
    default: 'nothing',
  }),
  wait_timeout: prop.number({
    name: { ru: 'Ждать статус не дольше', en: 'Status wait time-out' },
    integer: true,
    min: 1,
    max: 43200,
    default: 24,
  }),
  wait_timeout_unit: timeUnitProperty({ ru: 'Единица времени (статус)', en: 'Time unit (status)' }),
  if_maybe_sent: prop.select({
    name: { ru: 'Если сообщение могло уйти до сбоя', en: 'If the message may have left before a failure' },
    description: {
      ru: 'Сбой (падение обработчика, тайм-аут) между отправкой и ответом WhatsApp: отправить снова (клиент может получить сообщение дважды) или не отправлять (доставка неизвестна)',
      en: "A failure (a crashed worker, a time-out) between sending and WhatsApp's answer: send again (the customer may get it twice) or do not (delivery unknown)",
    },
    options: { resend: 'Send again / Отправить снова', skip: 'Do not resend / Не отправлять повторно' },
    default: 'resend',
  }),
};

/** minutes | hours | days */
export function timeUnitProperty(name: { ru: string; en: string }) {
  return prop.select({
    name,
    options: { minutes: 'Minutes / Минуты', hours: 'Hours / Часы', days: 'Days / Дни' },
    default: 'hours',
  });
}

const unitMs = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/** A time-out property pair in ms. */
export function timeoutMs(value: number, unit: keyof typeof unitMs): number {
  return value * unitMs[unit];
}

/** Return values every send action shares. */
export const sendReturns = {
  status: returnProp({ ru: 'Статус (sent/error)', en: 'Status (sent/error)' }),
  message_id: returnProp({ ru: 'ID сообщения', en: 'Message id' }),
  error_code: returnProp({ ru: 'Код ошибки', en: 'Error code' }),
  error: returnProp({ ru: 'Ошибка', en: 'Error' }),
  delivery_status: returnProp({
    ru: 'Статус доставки (sent/delivered/read/failed/timeout)',
    en: 'Delivery status (sent/delivered/read/failed/timeout)',
  }),
  delivered_at: returnProp({ ru: 'Доставлено (время)', en: 'Delivered at' }, 'datetime'),
  read_at: returnProp({ ru: 'Прочитано (время)', en: 'Read at' }, 'datetime'),
};

/** Return values for one sent message. */
export function sentReturnValues(messageId: string): Record<string, string> {
  return {
    status: 'sent',
    message_id: messageId,
    error_code: '',
    error: '',
    delivery_status: 'sent',
    delivered_at: '',
    read_at: '',
  };
}
