import { prop, returnProp } from './property';

/**
 * Who gets the message and through which line: after what the message says, before the technical
 * options (the order the robot's settings show).
 */
export const recipientProperties = {
  phone: prop.string({
    name: { ru: 'Телефон получателя', en: 'Recipient phone' },
    description: {
      ru: 'Пусто — телефон контакта сделки или лида',
      en: 'Empty = the phone of the deal or lead contact',
    },
  }),
  line: prop.line({
    name: { ru: 'Линия WhatsApp', en: 'WhatsApp line' },
    description: {
      ru: 'Номер, с которого уйдёт сообщение; пусто — первая линия портала',
      en: "The number the message goes out from; empty = the portal's first line",
    },
  }),
};

/** minutes | hours | days, in the portal's language. */
export function timeUnitProperty(name: { ru: string; en: string }, description?: { ru: string; en: string }) {
  return prop.select({
    name,
    description,
    options: {
      minutes: { ru: 'минуты', en: 'minutes' },
      hours: { ru: 'часы', en: 'hours' },
      days: { ru: 'дни', en: 'days' },
    },
    default: 'hours',
  });
}

/** How long to wait, in the unit of the time-unit property beside it: a whole 1 to 43,200, 24 unless set. */
export function timeoutProperty(name: { ru: string; en: string }, description?: { ru: string; en: string }) {
  return prop.number({ name, description, integer: true, min: 1, max: 43200, default: 24 });
}

/** Technical options of every send: last in the settings, each saying when to touch it. */
export const sendOptions = {
  reply_to: prop.string({
    name: { ru: 'Ответ на сообщение (ID)', en: 'Reply to message (id)' },
    description: {
      ru: 'Только чтобы процитировать сообщение клиента: его ID из результата другого робота',
      en: "Only to quote one of the customer's messages: its id from another robot's result",
    },
  }),
  show_in_chat: prop.bool({
    name: { ru: 'Показать в чате открытой линии', en: 'Also show in the open-line chat' },
    description: {
      ru: 'Включите, если операторы ведут переписку в открытой линии и должны видеть это сообщение',
      en: 'Turn on when operators chat in an open line and should see this message there',
    },
    default: false,
  }),
  wait_for: prop.select({
    name: { ru: 'Ждать статуса', en: 'Wait for status' },
    description: {
      ru: 'Обычно не нужно. «Доставлено» или «прочитано» — если следующий шаг зависит от доставки',
      en: 'Usually not needed. Delivered or read: when the next step depends on delivery',
    },
    options: {
      nothing: { ru: 'не ждать', en: 'do not wait' },
      delivered: { ru: 'доставлено', en: 'delivered' },
      read: { ru: 'прочитано', en: 'read' },
    },
    default: 'nothing',
  }),
  wait_timeout: timeoutProperty(
    { ru: 'Ждать статус не дольше', en: 'Status wait time-out' },
    {
      ru: 'Только при ожидании статуса: после этого срока результат — timeout',
      en: 'Only when waiting for a status: after this the result is timeout',
    },
  ),
  wait_timeout_unit: timeUnitProperty({ ru: 'Единица времени (статус)', en: 'Time unit (status)' }),
  if_maybe_sent: prop.select({
    name: { ru: 'Если сообщение могло уйти до сбоя', en: 'If the message may have left before a failure' },
    description: {
      ru: 'Редкий случай: сбой между отправкой и ответом WhatsApp. Отправить снова (клиент может получить сообщение дважды) или не отправлять (доставка неизвестна)',
      en: "A rare case: a failure between sending and WhatsApp's answer. Send again (the customer may get it twice) or do not (delivery unknown)",
    },
    options: {
      resend: { ru: 'отправить снова', en: 'send again' },
      skip: { ru: 'не отправлять повторно', en: 'do not resend' },
    },
    default: 'resend',
  }),
};

const unitMs = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/** A time-out property pair in ms. */
export function timeoutMs(value: number, unit: keyof typeof unitMs): number {
  return value * unitMs[unit];
}

/** `status` of a send: the values it can take. */
export const sendStatus = returnProp({ ru: 'Статус: sent, error', en: 'Status: sent, error' });

/** Return values every send action shares. */
export const sendReturns = {
  status: sendStatus,
  message_id: returnProp({ ru: 'ID сообщения', en: 'Message id' }),
  error_code: returnProp({ ru: 'Код ошибки', en: 'Error code' }),
  error: returnProp({ ru: 'Ошибка', en: 'Error' }),
  delivery_status: returnProp({
    ru: 'Статус доставки: sent, delivered, read, failed, timeout, unknown',
    en: 'Delivery status: sent, delivered, read, failed, timeout, unknown',
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
