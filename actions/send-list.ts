import { recipientProperties, sendOptions, sendReturns } from './common-properties';
import { defineAction } from './define-action';
import { LIST_LIMITS, parseListRows } from './list-rows';
import { prop } from './property';
import { replyOptionsFromInputs } from './reply-options';
import { replyWaitProperties, replyWaitReturns } from './reply-wait-properties';
import { openAskedReplyWait, replyWaitOutcome } from './reply-wait-send';
import { sendFreeForm } from './window-fallback';
import { windowProperties, windowReturns, windowUrlsOf } from './window-properties';

/** Send a list message (up to 10 rows), and optionally wait for the customer's choice. */
export const sendList = defineAction({
  code: 'send_list',
  title: { ru: 'Отправка сообщения со списком', en: 'Send a message with a list' },
  description: {
    ru: 'Отправляет сообщение со списком вариантов и может дождаться выбора клиента',
    en: "Sends a list of options and can wait for the customer's choice",
  },
  properties: {
    header: prop.string({ name: { ru: 'Заголовок', en: 'Header' }, max: 60 }),
    body: prop.string({ name: { ru: 'Текст', en: 'Body' }, required: true, max: 4096, multiline: true }),
    footer: prop.string({ name: { ru: 'Подвал', en: 'Footer' }, max: 60 }),
    button: prop.string({ name: { ru: 'Надпись кнопки списка', en: 'List button label' }, required: true, max: 20 }),
    rows: prop.list({
      name: { ru: 'Строки (до 10)', en: 'Rows (up to 10)' },
      description: {
        ru: '"название|описание" в строке; название до 24, описание до 72 символов',
        en: '"title|description" per line; title up to 24, description up to 72 characters',
      },
      required: true,
      maxItems: LIST_LIMITS.rows,
    }),
    section_title: prop.string({
      name: { ru: 'Заголовок раздела', en: 'Section title' },
      description: { ru: 'Пусто — надпись кнопки', en: 'Empty = the button label' },
      max: 24,
    }),
    ...recipientProperties,
    ...sendOptions,
    ...replyWaitProperties,
    ...windowProperties,
  },
  returns: { ...sendReturns, ...replyWaitReturns, ...windowReturns },
  needs: ['interactive_list'],
  urlsOf: windowUrlsOf,
  async run(ctx, input) {
    const parsed = parseListRows(input.rows);
    const titles = parsed.map((r) => r.title);
    const options = replyOptionsFromInputs({ ...input, buttons: titles });
    const to = await ctx.recipient(input.phone);
    // Row ids name the wait (`w:<waitId>:<n>`), so a list_reply is correlated exactly.
    const opened = await openAskedReplyWait(ctx, input, titles, options);
    const waitId = opened?.waitId ?? '';
    const ids = opened ? opened.buttons.map((b) => b.id) : titles.map((_, i) => `r:${i + 1}`);
    // One id per row: the wait's ids when it waits, else plain ones (both built from the same rows).
    const rows = parsed.map((r, i) => ({ id: ids[i] ?? String(i + 1), ...r }));
    const freeForm = await sendFreeForm(
      ctx,
      input,
      {
        type: 'list',
        header: input.header,
        body: input.body,
        footer: input.footer,
        button: input.button,
        sectionTitle: input.section_title ?? input.button.slice(0, 24),
        rows,
      },
      // Linked in the step that records the send; the attach below then has nothing left to do.
      { replyTo: input.reply_to, wait: waitId || undefined, waitButtons: rows },
    );
    return replyWaitOutcome(ctx, freeForm, waitId, { sent: 'log.list_sent', waiting: 'log.list_waiting', titles, to });
  },
});
