import { prop, returnProp } from './property';

/** Inputs every send action shares. */
export const sendProperties = {
  line: prop.string({
    name: { ru: 'Линия WhatsApp', en: 'WhatsApp line' },
    description: { ru: 'ID или название линии; пусто — первая линия портала', en: 'Line id or name; empty = the portal\'s first line' },
  }),
  phone: prop.string({
    name: { ru: 'Телефон получателя', en: 'Recipient phone' },
    description: { ru: 'Пусто — телефон контакта сделки/лида', en: 'Empty = the phone of the deal/lead contact' },
  }),
  reply_to: prop.string({ name: { ru: 'Ответ на сообщение (ID)', en: 'Reply to message id' } }),
  show_in_chat: prop.bool({ name: { ru: 'Показать в чате открытой линии', en: 'Also show in the open-line chat' }, default: false }),
};

/** Return values every send action shares. */
export const sendReturns = {
  status: returnProp({ ru: 'Статус (sent/error)', en: 'Status (sent/error)' }),
  message_id: returnProp({ ru: 'ID сообщения', en: 'Message id' }),
  error_code: returnProp({ ru: 'Код ошибки', en: 'Error code' }),
  error: returnProp({ ru: 'Ошибка', en: 'Error' }),
};

/** Return values for one sent message. */
export function sentReturnValues(messageId: string): Record<string, string> {
  return { status: 'sent', message_id: messageId, error_code: '', error: '' };
}
