import { say } from '../lib/i18n/catalogue';
import { recipientProperties, sendOptions, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { fileNameOfUrl, mediaKindOf, parseFileList } from './file-list';
import { prop, returnProp } from './property';
import { sentLog } from './sent-log';
import { sendFreeForm, windowOutcome } from './window-fallback';
import { windowProperties, windowReturns } from './window-properties';

/** Send one or more files by URL: each file is one WhatsApp message. */
export const sendFile = defineAction({
  code: 'send_file',
  title: { ru: 'Отправка файлов', en: 'Send files' },
  description: {
    ru: 'Отправляет клиенту файлы по ссылкам: каждый файл — отдельное сообщение',
    en: 'Sends files by URL to the customer: one message per file',
  },
  properties: {
    files: prop.list({
      name: { ru: 'Файлы', en: 'Files' },
      description: {
        ru: 'По одному в строке: "название|ссылка" или просто ссылка (http/https)',
        en: 'One per line: "title|url" or just the url (http/https)',
      },
      required: true,
      maxItems: 10,
      itemMax: 2048,
    }),
    format: prop.select({
      name: { ru: 'Как отправить', en: 'Send as' },
      description: {
        ru: 'Медиа: картинка/видео/аудио по расширению, иначе документ; Документ: всегда файлом с названием',
        en: 'Media: image/video/audio by the extension, else a document; Document: always a file with its title as the name',
      },
      options: { media: { ru: 'медиа', en: 'media' }, document: { ru: 'документ', en: 'document' } },
      default: 'media',
    }),
    caption: prop.string({
      name: { ru: 'Подпись (к первому файлу)', en: 'Caption (of the first file)' },
      max: 1024,
      multiline: true,
    }),
    ...recipientProperties,
    ...sendOptions,
    ...windowProperties,
  },
  returns: {
    ...sendReturns,
    ...windowReturns,
    message_ids: returnProp({ ru: 'ID сообщений (через запятую)', en: 'Message ids (comma-separated)' }),
  },
  needs: ['media'],
  urlsOf: (input) => parseFileList(input.files).map((file, i) => ({ property: 'files', line: i + 1, url: file.url })),
  async run(ctx, input) {
    const files = parseFileList(input.files);
    const to = await ctx.recipient(input.phone);
    const ids: string[] = [];
    for (const [i, file] of files.entries()) {
      const kind = input.format === 'document' ? 'document' : mediaKindOf(file.url);
      // The common caption goes on the first file; a titled image/video shows its title instead of none.
      const caption =
        (i === 0 ? input.caption : undefined) ?? (kind === 'image' || kind === 'video' ? file.title : undefined);
      const filename = kind === 'document' ? (file.title ?? fileNameOfUrl(file.url)) : undefined;
      const content = {
        type: 'media' as const,
        kind,
        link: file.url,
        ...(caption ? { caption } : {}),
        ...(filename ? { filename } : {}),
      };
      if (i === 0) {
        // The first file meets the 24-hour window; a template sent instead of it is all that goes.
        const freeForm = await sendFreeForm(ctx, input, content, { replyTo: input.reply_to });
        if (freeForm.sentAs === 'template') {
          const id = freeForm.sent.providerMessageId;
          const log = sentLog(ctx.lang, say('window.filesNotSent'), to, [id]);
          return windowOutcome(freeForm, { ...sentReturnValues(id), message_ids: id }, log);
        }
        ids.push(freeForm.sent.providerMessageId);
        continue;
      }
      const sent = await ctx.send(content, { step: i });
      ids.push(sent.providerMessageId);
    }
    const count = files.length;
    return {
      returnValues: { ...sentReturnValues(ids[0] ?? ''), message_ids: ids.join(','), sent_as: 'message' },
      logMessage: sentLog(ctx.lang, say('log.what.files', { count }), to, ids),
    };
  },
});
