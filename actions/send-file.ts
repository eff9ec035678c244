import type { PortalFileSource } from '../bitrix/portal-file';
import { ActionError } from '../lib/errors/app-error';
import { say } from '../lib/i18n/catalogue';
import type { OutboundContent } from '../providers/provider';
import { recipientProperties, sendOptions, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { fileNameOfUrl, mediaKindOf, parseFileList } from './file-list';
import { type UploadedFile, uploadPortalFile } from './portal-media';
import { prop, returnProp } from './property';
import { sentLog } from './sent-log';
import { sendFreeForm, windowOutcome } from './window-fallback';
import { windowProperties, windowReturns, windowUrlsOf } from './window-properties';

type Media = Extract<OutboundContent, { type: 'media' }>;

/** One message to send: a link, or a portal file already uploaded. */
interface Planned {
  kind: Media['kind'];
  link?: string;
  title?: string;
  filename?: string;
  mediaId?: string;
}

/** Kinds that show a caption (waba-wire.md §4): not audio, not stickers. */
const takesCaption = (kind: Media['kind']) => kind === 'image' || kind === 'video' || kind === 'document';

/**
 * Send files: links go by link (the provider fetches them); files from the portal (`file`
 * property links, Disk file ids) are downloaded with the app's auth, checked, uploaded to the provider and sent by id.
 * Each file is one WhatsApp message.
 */
export const sendFile = defineAction({
  code: 'send_file',
  title: { ru: 'Отправка файлов', en: 'Send files' },
  description: {
    ru: 'Отправляет клиенту файлы по ссылкам и файлы портала: каждый файл — отдельное сообщение',
    en: "Sends files by URL and the portal's files to the customer: one message per file",
  },
  properties: {
    files: prop.list({
      name: { ru: 'Файлы', en: 'Files' },
      description: {
        ru: 'По одному в строке: "название|ссылка" или просто ссылка (http/https)',
        en: 'One per line: "title|url" or just the url (http/https)',
      },
      maxItems: 10,
      itemMax: 2048,
    }),
    portal_files: prop.files({
      name: { ru: 'Файлы портала', en: 'Portal files' },
      description: {
        ru: 'Ссылки на скачивание с портала: скачиваются с портала и загружаются в WhatsApp. Внутренний id файла (число) через REST не скачать: файлы Диска — в поле «ID файлов Диска»',
        en: "Download links on the portal: downloaded from the portal and uploaded to WhatsApp. An internal file id (a number) cannot be downloaded through REST: put Disk files in 'Disk file ids'",
      },
      maxItems: 10,
    }),
    disk_file_ids: prop.list({
      name: { ru: 'ID файлов Диска', en: 'Disk file ids' },
      description: {
        ru: 'ID файлов Диска (disk.file.get), по одному в строке: скачиваются с правами приложения и загружаются в WhatsApp',
        en: "Disk file ids (disk.file.get), one per line: downloaded with the app's rights and uploaded to WhatsApp",
      },
      maxItems: 10,
      itemMax: 20,
    }),
    format: prop.select({
      name: { ru: 'Как отправить', en: 'Send as' },
      description: {
        ru: 'Медиа: картинка/видео/аудио/стикер (webp) по типу, иначе документ; Документ: всегда файлом с названием',
        en: 'Media: image/video/audio/sticker (webp) by the type, else a document; Document: always a file with its title as the name',
      },
      options: { media: { ru: 'медиа', en: 'media' }, document: { ru: 'документ', en: 'document' } },
      default: 'media',
    }),
    caption: prop.string({
      name: { ru: 'Подпись (к первому файлу с подписью)', en: 'Caption (of the first file that takes one)' },
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
  urlsOf: (input) => [
    ...parseFileList(input.files).map((file, i) => ({ property: 'files', line: i + 1, url: file.url })),
    ...windowUrlsOf(input),
  ],
  async run(ctx, input) {
    const links = parseFileList(input.files);
    const sources: PortalFileSource[] = [
      ...input.portal_files.map((fileValue) => ({ fileValue })),
      ...input.disk_file_ids.map((diskFileId) => ({ diskFileId })),
    ];
    const total = links.length + sources.length;
    if (total === 0 || total > 10)
      throw new ActionError('invalid_property', `files: ${total}`, { says: say('wabaMedia.noFiles') });
    const asDocument = input.format === 'document';
    // Every portal file is downloaded, checked and uploaded before the first message leaves, one at a
    // time (only one file's bytes in memory). Uploads and sends share the step number (`once` apart).
    const uploaded: UploadedFile[] = [];
    for (const [i, source] of sources.entries())
      uploaded.push(await uploadPortalFile(ctx, links.length + i, source, asDocument));
    const to = await ctx.recipient(input.phone);
    const messages: Planned[] = [
      ...links.map((file): Planned => {
        const kind = asDocument ? 'document' : mediaKindOf(file.url);
        const filename = kind === 'document' ? (file.title ?? fileNameOfUrl(file.url)) : undefined;
        return { kind, link: file.url, title: file.title, filename };
      }),
      ...uploaded.map(
        (file): Planned => ({
          kind: file.kind,
          mediaId: file.mediaId,
          filename: file.kind === 'document' ? file.name : undefined,
        }),
      ),
    ];
    const captioned = input.caption ? messages.findIndex((m) => takesCaption(m.kind)) : -1;
    const ids: string[] = [];
    for (const [i, m] of messages.entries()) {
      // The common caption on the first file that shows one; a titled image/video shows its title otherwise.
      const caption = i === captioned ? input.caption : m.kind === 'image' || m.kind === 'video' ? m.title : undefined;
      const { mediaId } = m;
      const content: Media = {
        type: 'media',
        kind: m.kind,
        ...(mediaId ? { mediaId } : { link: m.link }),
        ...(caption ? { caption } : {}),
        ...(m.filename ? { filename: m.filename } : {}),
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
    const count = messages.length;
    return {
      returnValues: { ...sentReturnValues(ids[0] ?? ''), message_ids: ids.join(','), sent_as: 'message' },
      logMessage: sentLog(ctx.lang, say('log.what.files', { count }), to, ids),
    };
  },
});
