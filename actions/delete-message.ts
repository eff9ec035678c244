import { say } from '../lib/i18n/catalogue';
import { recipientProperties, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { providerMethod } from './provider-method';
import { sentLog } from './sent-log';

/** Delete a sent message for everyone (only providers that can, e.g. Green-API). */
export const deleteMessage = defineAction({
  code: 'delete_message',
  title: { ru: 'Удаление сообщения', en: 'Delete a message' },
  description: {
    ru: 'Удаляет отправленное сообщение у всех (не все провайдеры умеют)',
    en: 'Deletes a sent message for everyone (not every provider can)',
  },
  properties: {
    message_id: prop.string({ name: { ru: 'ID сообщения', en: 'Message id' }, required: true, max: 256 }),
    ...recipientProperties,
  },
  returns: sendReturns,
  needs: ['delete'],
  async run(ctx, input) {
    const remove = providerMethod(ctx.provider, 'delete', 'delete');
    const to = await ctx.recipient(input.phone);
    await ctx.once(0, async () => {
      await remove({ to, messageId: input.message_id });
      return input.message_id;
    });
    return {
      returnValues: sentReturnValues(input.message_id),
      logMessage: sentLog(ctx.lang, say('log.what.deleted', { id: input.message_id }), to, [input.message_id]),
    };
  },
});
