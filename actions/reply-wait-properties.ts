import { timeUnitProperty } from './common-properties';
import { prop, returnProp } from './property';

/** Inputs of actions that can wait for the customer's reply (buttons, list). */
export const replyWaitProperties = {
  wait_reply: prop.bool({ name: { ru: 'Ждать ответа', en: 'Wait for the reply' }, default: false }),
  timeout: prop.number({
    name: { ru: 'Ждать ответа не дольше', en: 'Reply time-out' },
    integer: true,
    min: 1,
    max: 43200,
    default: 24,
  }),
  timeout_unit: timeUnitProperty({ ru: 'Единица времени', en: 'Time unit' }),
  match_mode: prop.select({
    name: { ru: 'Что считать ответом', en: 'What counts as the answer' },
    options: {
      button: 'Buttons, their numbers or titles / Кнопки',
      any: 'Any message / Любое сообщение',
      keywords: 'Keywords / Ключевые слова',
      regex: 'Regular expression / Регулярное выражение',
    },
    default: 'button',
  }),
  keywords: prop.list({ name: { ru: 'Ключевые слова (слово=ответ)', en: 'Keywords (keyword=answer)' }, maxItems: 50 }),
  regex: prop.string({ name: { ru: 'Регулярное выражение', en: 'Regular expression' }, max: 500 }),
  reask_text: prop.string({ name: { ru: 'Текст переспроса', en: 'Re-ask text' }, max: 1024 }),
  reask_max: prop.number({
    name: { ru: 'Переспросить не более (раз)', en: 'Re-ask at most (times)' },
    integer: true,
    min: 0,
    max: 5,
    default: 1,
  }),
  after_reask: prop.select({
    name: { ru: 'После переспросов', en: 'After the re-asks' },
    options: {
      ignore: 'Ignore off-script answers / Игнорировать',
      end: 'End the wait with an empty answer / Завершить',
    },
    default: 'ignore',
  }),
  stop_on_operator: prop.bool({
    name: { ru: 'Прекратить ожидание, если ответил оператор', en: 'Stop waiting when an operator answers' },
    default: false,
  }),
};

/** Return values of a reply wait. */
export const replyWaitReturns = {
  answer: returnProp({ ru: 'Ответ', en: 'Answer' }),
  answer_index: returnProp({ ru: 'Номер ответа', en: 'Answer number' }, 'int'),
  answer_id: returnProp({ ru: 'ID ответа', en: 'Answer id' }),
  reply_text: returnProp({ ru: 'Текст ответа клиента', en: 'Reply text' }),
  reply_message_id: returnProp({ ru: 'ID сообщения-ответа', en: 'Reply message id' }),
  answered_at: returnProp({ ru: 'Время ответа', en: 'Answered at' }, 'datetime'),
};
