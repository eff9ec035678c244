import { timeoutProperty, timeUnitProperty } from './common-properties';
import { type InputProperty, prop, returnProp } from './property';

/**
 * Marks every property but `wait_reply` as a reply setting, read only while `wait_reply` is on: a
 * robot that does not wait is never refused for settings that do not apply (review-s20-dedupe #5).
 */
function readWhileWaiting<P extends { wait_reply: InputProperty } & Record<string, InputProperty>>(properties: P): P {
  const marked = Object.entries(properties).map(([code, p]) => [
    code,
    code === 'wait_reply' ? p : { ...p, onlyWhen: 'wait_reply' },
  ]);
  // The same codes and properties, each with one optional field set: still a P.
  return Object.fromEntries(marked) as P;
}

/** Inputs of actions that can wait for the customer's reply (buttons, list): technical, after the recipient. */
export const replyWaitProperties = readWhileWaiting({
  wait_reply: prop.bool({
    name: { ru: 'Ждать ответа', en: 'Wait for the reply' },
    description: {
      ru: 'Включите, чтобы робот дождался выбора клиента и вернул его в результатах',
      en: "Turn on to have the robot wait for the customer's choice and return it",
    },
    default: false,
  }),
  timeout: timeoutProperty(
    { ru: 'Ждать ответа не дольше', en: 'Reply time-out' },
    {
      ru: 'Только при ожидании ответа: после этого срока результат — timeout',
      en: 'Only when waiting for the reply: after this the result is timeout',
    },
  ),
  timeout_unit: timeUnitProperty({ ru: 'Единица времени', en: 'Time unit' }),
  match_mode: prop.select({
    name: { ru: 'Что считать ответом', en: 'What counts as the answer' },
    description: {
      ru: 'Обычно — кнопки. Меняйте, если клиент отвечает текстом: любое сообщение, ключевые слова или регулярное выражение',
      en: 'Usually the buttons. Change it when customers answer in text: any message, keywords or a regular expression',
    },
    options: {
      button: { ru: 'кнопки, их номера или названия', en: 'buttons, their numbers or titles' },
      any: { ru: 'любое сообщение', en: 'any message' },
      keywords: { ru: 'ключевые слова', en: 'keywords' },
      regex: { ru: 'регулярное выражение', en: 'regular expression' },
    },
    default: 'button',
  }),
  keywords: prop.list({
    name: { ru: 'Ключевые слова (слово=ответ)', en: 'Keywords (keyword=answer)' },
    description: {
      ru: 'Только для режима «ключевые слова»: по одному в строке',
      en: 'Only for the keywords mode: one per line',
    },
    maxItems: 50,
  }),
  regex: prop.string({
    name: { ru: 'Регулярное выражение', en: 'Regular expression' },
    description: {
      ru: 'Только для режима «регулярное выражение»',
      en: 'Only for the regular expression mode',
    },
    max: 500,
  }),
  reask_text: prop.string({
    name: { ru: 'Текст переспроса', en: 'Re-ask text' },
    description: {
      ru: 'Что ответить, если клиент написал не по вариантам; пусто — стандартная фраза',
      en: 'What to say when the answer is not one of the options; empty = a standard phrase',
    },
    max: 1024,
  }),
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
      ignore: { ru: 'игнорировать ответы вне вариантов', en: 'ignore off-script answers' },
      end: { ru: 'завершить ожидание с пустым ответом', en: 'end the wait with an empty answer' },
    },
    default: 'ignore',
  }),
  stop_on_operator: prop.bool({
    name: { ru: 'Прекратить ожидание, если ответил оператор', en: 'Stop waiting when an operator answers' },
    description: {
      ru: 'Включите, если оператор может ответить клиенту сам — тогда результат cancelled',
      en: 'Turn on when an operator may answer the customer instead: the result is then cancelled',
    },
    default: false,
  }),
});

/** Return values of a reply wait; `status` lists every value a waiting send can end with. */
export const replyWaitReturns = {
  status: returnProp({
    ru: 'Статус: sent, error, answered, timeout, cancelled',
    en: 'Status: sent, error, answered, timeout, cancelled',
  }),
  answer: returnProp({ ru: 'Ответ', en: 'Answer' }),
  answer_index: returnProp({ ru: 'Номер ответа', en: 'Answer number' }, 'int'),
  answer_id: returnProp({ ru: 'ID ответа', en: 'Answer id' }),
  reply_text: returnProp({ ru: 'Текст ответа клиента', en: 'Reply text' }),
  reply_message_id: returnProp({ ru: 'ID сообщения-ответа', en: 'Reply message id' }),
  answered_at: returnProp({ ru: 'Время ответа', en: 'Answered at' }, 'datetime'),
};
