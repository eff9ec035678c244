import { t } from '../lib/i18n/catalogue';
import { recipientProperties, sendOptions, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { sendFreeForm, windowOutcome } from './window-fallback';
import { windowProperties, windowReturns, windowUrlsOf } from './window-properties';

/** Send a text message (≤ 4096 characters). */
export const sendText = defineAction({
  code: 'send_text',
  title: { ru: 'Отправка сообщения', en: 'Send a message' },
  description: {
    ru: 'Отправляет клиенту текстовое сообщение в WhatsApp',
    en: 'Sends a text message to the customer on WhatsApp',
  },
  properties: {
    text: prop.string({ name: { ru: 'Текст', en: 'Text' }, required: true, max: 4096, multiline: true }),
    preview_url: prop.bool({
      name: { ru: 'Превью ссылок', en: 'Preview links' },
      description: {
        ru: 'Показать превью первой ссылки в тексте',
        en: 'Show a preview of the first link in the text',
      },
      default: false,
    }),
    ...recipientProperties,
    ...sendOptions,
    ...windowProperties,
  },
  returns: { ...sendReturns, ...windowReturns },
  needs: ['text'],
  urlsOf: windowUrlsOf,
  async run(ctx, input) {
    const to = await ctx.recipient(input.phone);
    const freeForm = await sendFreeForm(
      ctx,
      input,
      { type: 'text', body: input.text, previewUrl: input.preview_url },
      { replyTo: input.reply_to },
    );
    const { sent } = freeForm;
    const logMessage = t(ctx.lang, 'log.text_sent', { to, id: sent.providerMessageId });
    return windowOutcome(freeForm, sentReturnValues(sent.providerMessageId), logMessage);
  },
});
