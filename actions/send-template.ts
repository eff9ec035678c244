import { say } from '../lib/i18n/catalogue';
import type { OutboundContent } from '../providers/provider';
import { recipientProperties, sendOptions, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { mediaKindOf } from './file-list';
import { prop } from './property';
import { invalidProperty } from './property-issues';
import { sentLog } from './sent-log';

type TemplateComponent = Extract<OutboundContent, { type: 'template' }>['components'][number];

/** A media header's parameter: image or video by the URL's extension, anything else a document. */
function headerMediaParameter(url: string): TemplateComponent['parameters'][number] {
  if (!/^https?:\/\/[^/\s]+/i.test(url) || !URL.canParse(url))
    throw invalidProperty(sendTemplate, 'header_media', 'prop.not_http_url', { url });
  const kind = mediaKindOf(url);
  return { type: kind === 'image' || kind === 'video' ? kind : 'document', link: url };
}

/**
 * Template parameters → Cloud API components: header texts or a header media URL, body texts, one
 * quick-reply payload per button.
 */
export function templateComponents(
  header: string[],
  body: string[],
  buttons: string[],
  headerMedia = '',
): TemplateComponent[] {
  if (headerMedia && header.length) throw invalidProperty(sendTemplate, 'header_media', 'prop.header_text_or_media');
  const text = (values: string[]) => values.map((value) => ({ type: 'text' as const, text: value }));
  const headerParameters = headerMedia ? [headerMediaParameter(headerMedia)] : text(header);
  return [
    ...(headerParameters.length ? [{ type: 'header' as const, parameters: headerParameters }] : []),
    ...(body.length ? [{ type: 'body' as const, parameters: text(body) }] : []),
    ...buttons.map((payload, index) => ({
      type: 'button' as const,
      subType: 'quick_reply' as const,
      index,
      parameters: [{ type: 'payload' as const, text: payload }],
    })),
  ];
}

/** Send an approved template: the only message allowed outside the 24-hour window. */
export const sendTemplate = defineAction({
  code: 'send_template',
  title: { ru: 'Отправка шаблона', en: 'Send a template' },
  description: {
    ru: 'Отправляет одобренный шаблон (можно вне 24-часового окна)',
    en: 'Sends an approved template (allowed outside the 24-hour window)',
  },
  properties: {
    template: prop.string({ name: { ru: 'Название шаблона', en: 'Template name' }, required: true, max: 512 }),
    language: prop.string({ name: { ru: 'Язык шаблона', en: 'Template language' }, max: 15, default: 'ru' }),
    body_params: prop.list({
      name: { ru: 'Параметры текста', en: 'Body parameters' },
      description: { ru: 'По порядку: {{1}}, {{2}}…', en: 'In order: {{1}}, {{2}}…' },
      maxItems: 100,
      itemMax: 1024,
    }),
    header_params: prop.list({
      name: { ru: 'Параметры заголовка', en: 'Header parameters' },
      maxItems: 10,
      itemMax: 60,
    }),
    header_media: prop.string({
      max: 2048,
      name: { ru: 'Медиа заголовка (ссылка)', en: 'Header media (URL)' },
      description: {
        ru: 'Для шаблонов с картинкой, видео или документом в заголовке',
        en: 'For templates with an image, video or document header',
      },
    }),
    button_params: prop.list({
      name: { ru: 'Payload кнопок быстрого ответа', en: 'Quick-reply button payloads' },
      maxItems: 10,
      itemMax: 128,
    }),
    ...recipientProperties,
    ...sendOptions,
  },
  returns: sendReturns,
  needs: ['template'],
  urlsOf: (input) => (input.header_media ? [{ property: 'header_media', url: input.header_media }] : []),
  async run(ctx, input) {
    const to = await ctx.recipient(input.phone);
    const components = templateComponents(
      input.header_params,
      input.body_params,
      input.button_params,
      input.header_media,
    );
    const sent = await ctx.send(
      { type: 'template', name: input.template, language: input.language, components },
      { replyTo: input.reply_to },
    );
    return {
      returnValues: sentReturnValues(sent.providerMessageId),
      logMessage: sentLog(ctx.lang, say('log.what.template', { name: input.template, language: input.language }), to, [
        sent.providerMessageId,
      ]),
    };
  },
});
