import { t } from '../lib/i18n/catalogue';
import { recipientProperties, timeoutMs, timeoutProperty, timeUnitProperty } from './common-properties';
import { defineAction } from './define-action';
import { prop, returnProp } from './property';
import { invalidProperty } from './property-issues';
import { replyOptionsFromInputs } from './reply-options';
import { replyWaitProperties, replyWaitReturns } from './reply-wait-properties';

const { keywords, regex, stop_on_operator } = replyWaitProperties;

/**
 * "Wait for the customer's message": the next message from the document's customer on the line
 * (after any send — a template, a file, another robot's text), matched like a reply wait.
 */
export const waitMessage = defineAction({
  code: 'wait_message',
  title: { ru: 'Ожидание сообщения клиента', en: "Wait for the customer's message" },
  description: {
    ru: 'Ждёт следующего сообщения клиента на линии: любого, с ключевым словом или по регулярному выражению',
    en: "Waits for the customer's next message on the line: any, one with a keyword, or one matching a regular expression",
  },
  properties: {
    ...recipientProperties,
    timeout: timeoutProperty({ ru: 'Ждать не дольше', en: 'Time-out' }),
    timeout_unit: timeUnitProperty({ ru: 'Единица времени', en: 'Time unit' }),
    match_mode: prop.select({
      name: { ru: 'Что считать ответом', en: 'What counts as the answer' },
      options: {
        any: { ru: 'любое сообщение', en: 'any message' },
        keywords: { ru: 'ключевые слова', en: 'keywords' },
        regex: { ru: 'регулярное выражение', en: 'regular expression' },
      },
      default: 'any',
    }),
    keywords,
    regex,
    stop_on_operator,
  },
  returns: {
    ...replyWaitReturns,
    status: returnProp({ ru: 'Статус: answered, timeout, cancelled', en: 'Status: answered, timeout, cancelled' }),
    error_code: returnProp({ ru: 'Код ошибки', en: 'Error code' }),
    error: returnProp({ ru: 'Ошибка', en: 'Error' }),
  },
  needs: [],
  async run(ctx, input) {
    // No re-asks: nothing was asked. A message that does not match is left to other waits and the chat.
    const options = replyOptionsFromInputs({ ...input, reask_max: 0, after_reask: 'ignore' });
    const to = await ctx.recipient(input.phone);
    const { waitId } = await ctx.waits.openReply({
      buttons: [],
      options,
      timeoutMs: timeoutMs(input.timeout, input.timeout_unit),
    });
    if (!waitId) throw invalidProperty(waitMessage, 'match_mode', 'window.prop.nothing_to_wait');
    return {
      returnValues: {},
      logMessage: `WhatsApp: ${t(ctx.lang, 'window.waitingForMessage')} +${to}`,
      pending: true,
    };
  },
});
