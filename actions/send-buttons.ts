import { plainButtonId } from '../waits/button-id';
import { recipientProperties, sendOptions, sendReturns } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { replyOptionsFromInputs } from './reply-options';
import { replyWaitProperties, replyWaitReturns } from './reply-wait-properties';
import { openAskedReplyWait, replyWaitOutcome } from './reply-wait-send';
import { sendFreeForm } from './window-fallback';
import { windowProperties, windowReturns, windowUrlsOf } from './window-properties';

/** Send a message with up to 3 reply buttons, and optionally wait for the customer's choice. */
export const sendButtons = defineAction({
  code: 'send_buttons',
  title: { ru: 'Отправка сообщения с кнопками', en: 'Send a message with buttons' },
  description: {
    ru: 'Отправляет сообщение с кнопками и может дождаться выбора клиента',
    en: "Sends a message with reply buttons and can wait for the customer's choice",
  },
  properties: {
    header: prop.string({ name: { ru: 'Заголовок', en: 'Header' }, max: 60 }),
    body: prop.string({ name: { ru: 'Текст', en: 'Body' }, required: true, max: 1024, multiline: true }),
    footer: prop.string({ name: { ru: 'Подвал', en: 'Footer' }, max: 60 }),
    buttons: prop.list({
      name: { ru: 'Кнопки (до 3)', en: 'Buttons (up to 3)' },
      required: true,
      maxItems: 3,
      itemMax: 20,
    }),
    ...recipientProperties,
    ...sendOptions,
    ...replyWaitProperties,
    ...windowProperties,
  },
  returns: { ...sendReturns, ...replyWaitReturns, ...windowReturns },
  needs: ['interactive_buttons'],
  urlsOf: windowUrlsOf,
  async run(ctx, input) {
    const titles = input.buttons.map((t) => t.trim());
    const options = replyOptionsFromInputs(input);
    const to = await ctx.recipient(input.phone);
    const opened = await openAskedReplyWait(ctx, input, titles, options);
    const waitId = opened?.waitId ?? '';
    const buttons = opened?.buttons ?? titles.map((title, i) => ({ id: plainButtonId(i + 1), title }));
    const freeForm = await sendFreeForm(
      ctx,
      input,
      { type: 'buttons', header: input.header, body: input.body, footer: input.footer, buttons },
      // Linked in the step that records the send; the attach below then has nothing left to do.
      { replyTo: input.reply_to, wait: waitId || undefined, waitButtons: buttons },
    );
    return replyWaitOutcome(ctx, freeForm, waitId, {
      sent: 'log.buttons_sent',
      waiting: 'log.buttons_waiting',
      titles,
      to,
    });
  },
});
