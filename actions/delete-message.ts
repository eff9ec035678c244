import { sendProperties, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { providerMethod } from './provider-method';
import { sentLog } from './sent-log';

const { line, phone } = sendProperties;

/** Delete a sent message for everyone (only providers that can, e.g. Green-API). */
export const deleteMessage = defineAction({
  code: 'delete_message',
  title: { ru: 'WhatsApp: удалить сообщение', en: 'WhatsApp: delete message' },
  description: {
    ru: 'Удаляет отправленное сообщение у всех (не все провайдеры умеют)',
    en: 'Deletes a sent message for everyone (not every provider can)',
  },
  properties: {
    line,
    phone,
    message_id: prop.string({ name: { ru: 'ID сообщения', en: 'Message id' }, required: true, max: 256 }),
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
      logMessage: sentLog(
        ctx.lang,
        { ru: `сообщение ${input.message_id} удалено`, en: `message ${input.message_id} deleted` },
        to,
        [input.message_id],
      ),
    };
  },
});
