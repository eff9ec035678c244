import { ActionError } from '../lib/errors/app-error';
import { say, t } from '../lib/i18n/catalogue';
import type { WindowState } from '../store/customer-window-store';
import { recipientProperties, sendReturns, sentReturnValues } from './common-properties';
import { type ActionContext, defineAction } from './define-action';
import { prop, returnProp } from './property';
import { sentLog } from './sent-log';
import { closedText, closedWords } from './window-fallback';

/**
 * What a reaction does when the customer's window is closed. A reaction is free-form (refused
 * outside the window, waba-wire.md §2) and no template can stand in for one, so there is no
 * template option: fail with window_closed, or leave the reaction out and go on.
 */
const ifWindowClosed = prop.select({
  name: { ru: 'Если 24-часовое окно закрыто', en: 'If the 24-hour window is closed' },
  description: {
    ru: 'Реакцию WhatsApp пропускает только в течение суток после сообщения клиента, а шаблоном её не заменить: ошибка window_closed (до отправки) или не ставить реакцию (статус skipped, процесс идёт дальше). Если окно неизвестно и WhatsApp откажет позже, отказ виден только в статусе доставки',
    en: "WhatsApp lets a reaction through only within a day of the customer's message, and no template can replace it: fail with window_closed (before sending) or leave the reaction out (status skipped, the process goes on). When the window is not known and WhatsApp refuses later, the refusal only shows in the delivery status",
  },
  options: {
    fail: { ru: 'ошибка window_closed', en: 'fail with window_closed' },
    skip: { ru: 'не ставить реакцию', en: 'leave the reaction out' },
  },
  default: 'fail',
});

/** The reaction left out for the closed window: `skipped`, or `window_closed` as the robot chose. */
function closed(ctx: Pick<ActionContext, 'lang'>, choice: 'fail' | 'skip', state: WindowState) {
  if (choice === 'fail') throw new ActionError('window_closed', '', { says: closedWords(state) });
  return {
    returnValues: { ...sentReturnValues(''), status: 'skipped', delivery_status: '' },
    logMessage: t(ctx.lang, 'window.reactionSkipped', { why: closedText(ctx, state) }),
  };
}

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
    if_window_closed: ifWindowClosed,
  },
  returns: {
    ...sendReturns,
    status: returnProp({
      ru: 'Статус: sent, skipped (окно закрыто, реакция не поставлена), error',
      en: 'Status: sent, skipped (window closed, reaction left out), error',
    }),
  },
  needs: ['reaction'],
  async run(ctx, input) {
    const to = await ctx.recipient(input.phone);
    // Decided before sending where the provider has a window; unknown: WhatsApp decides.
    const state = ctx.provider.capabilities.has('customer_window') ? await ctx.customerWindow() : { open: null };
    // Closed now, but an earlier attempt placed it when it was open: that stands (ctx.send returns it).
    if (state.open === false && (await ctx.stepTaken(0)).state === 'new')
      return closed(ctx, input.if_window_closed, state);
    const emoji = input.emoji ?? '';
    let sent: Awaited<ReturnType<typeof ctx.send>>;
    try {
      sent = await ctx.send({ type: 'reaction', messageId: input.message_id, emoji });
    } catch (error) {
      // Refused for the window (131047) all the same: the robot's choice applies.
      if (error instanceof ActionError && error.code === 'window_closed' && input.if_window_closed === 'skip')
        return closed(ctx, 'skip', state);
      throw error;
    }
    const what = emoji
      ? say('log.what.reaction', { emoji, id: input.message_id })
      : say('log.what.reaction_removed', { id: input.message_id });
    return {
      returnValues: sentReturnValues(sent.providerMessageId),
      logMessage: sentLog(ctx.lang, what, to, [sent.providerMessageId]),
    };
  },
});
