import { say } from '../lib/i18n/catalogue';
import { recipientProperties, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { providerMethod } from './provider-method';
import { sentLog } from './sent-log';

/** Replace the text of a sent message (only providers that can edit, e.g. Green-API). */
export const editMessage = defineAction({
  code: 'edit_message',
  title: { ru: 'Изменение сообщения', en: 'Edit a message' },
  description: {
    ru: 'Меняет текст отправленного сообщения (не все провайдеры умеют)',
    en: 'Changes the text of a sent message (not every provider can)',
  },
  properties: {
    message_id: prop.string({ name: { ru: 'ID сообщения', en: 'Message id' }, required: true, max: 256 }),
    text: prop.string({ name: { ru: 'Новый текст', en: 'New text' }, required: true, max: 4096, multiline: true }),
    ...recipientProperties,
  },
  returns: sendReturns,
  needs: ['edit'],
  async run(ctx, input) {
    const edit = providerMethod(ctx.provider, 'edit', 'edit');
    const to = await ctx.recipient(input.phone);
    const editedId = await ctx.once(
      0,
      async () => (await edit({ to, messageId: input.message_id, text: input.text })).providerMessageId,
    );
    return {
      returnValues: sentReturnValues(editedId),
      logMessage: sentLog(ctx.lang, say('log.what.edited', { id: input.message_id }), to, [editedId]),
    };
  },
});
