import { sendProperties, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { sentLog } from './sent-log';

const { line, phone } = sendProperties;

/** React to a message with an emoji (an empty emoji removes the reaction). */
export const sendReaction = defineAction({
  code: 'send_reaction',
  title: { ru: 'WhatsApp: реакция на сообщение', en: 'WhatsApp: react to a message' },
  description: {
    ru: 'Ставит (или снимает) эмодзи-реакцию на сообщение',
    en: 'Puts (or removes) an emoji reaction on a message',
  },
  properties: {
    line,
    phone,
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
  },
  returns: sendReturns,
  needs: ['reaction'],
  async run(ctx, input) {
    const to = await ctx.recipient(input.phone);
    const emoji = input.emoji ?? '';
    const sent = await ctx.send({ type: 'reaction', messageId: input.message_id, emoji });
    const what = emoji
      ? { ru: `реакция ${emoji} на ${input.message_id}`, en: `reaction ${emoji} to ${input.message_id}` }
      : { ru: `реакция на ${input.message_id} снята`, en: `reaction to ${input.message_id} removed` };
    return {
      returnValues: sentReturnValues(sent.providerMessageId),
      logMessage: sentLog(ctx.lang, what, to, [sent.providerMessageId]),
    };
  },
});
