import { say } from '../lib/i18n/catalogue';
import { recipientProperties, sendOptions, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { fileNameOfUrl, mediaKindOf, parseFileList } from './file-list';
import { prop, returnProp } from './property';
import { sentLog } from './sent-log';

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
  },
  returns: {
    ...sendReturns,
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
      const sent = await ctx.send(
        { type: 'media', kind, link: file.url, ...(caption ? { caption } : {}), ...(filename ? { filename } : {}) },
        { step: i, replyTo: i === 0 ? input.reply_to : undefined },
      );
      ids.push(sent.providerMessageId);
    }
    const count = files.length;
    return {
      returnValues: { ...sentReturnValues(ids[0] ?? ''), message_ids: ids.join(',') },
      logMessage: sentLog(ctx.lang, say('log.what.files', { count }), to, ids),
    };
  },
});
