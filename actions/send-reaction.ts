import { say } from '../lib/i18n/catalogue';
import { recipientProperties, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { sentLog } from './sent-log';

/** React to a message with an emoji (an empty emoji removes the reaction). */
export const sendReaction = defineAction({
  code: 'send_reaction',
  title: { ru: 'Реакция на сообщение', en: 'React to a message' },
  description: {
    ru: 'Ставит (или снимает) эмодзи-реакцию на сообщение',
    en: 'Puts (or removes) an emoji reaction on a message',
  },
  properties: {
    message_id: prop.string({
      name: { ru: 'ID сообщения', en: 'Message id' },
      description: { ru: 'Из результата другого действия', en: "From another action's result" },
      required: true,
      max: 256,
    }),
    emoji: prop.string({
      name: { ru: 'Эмодзи', en: 'Emoji' },
      description: { ru: 'Пусто — снять реакцию', en: 'Empty = remove the reaction' },
      max: 16,
    }),
    ...recipientProperties,
  },
  returns: sendReturns,
  needs: ['reaction'],
  async run(ctx, input) {
    const to = await ctx.recipient(input.phone);
    const emoji = input.emoji ?? '';
    const sent = await ctx.send({ type: 'reaction', messageId: input.message_id, emoji });
    const what = emoji
      ? say('log.what.reaction', { emoji, id: input.message_id })
      : say('log.what.reaction_removed', { id: input.message_id });
    return {
      returnValues: sentReturnValues(sent.providerMessageId),
      logMessage: sentLog(ctx.lang, what, to, [sent.providerMessageId]),
    };
  },
});
