import { say, t } from '../lib/i18n/catalogue';
import type { OutboundContent } from '../providers/provider';
import { encodeButtonId } from '../waits/button-id';
import { recipientProperties, sendOptions, sendReturns, sentReturnValues, timeoutMs } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { invalidProperty } from './property-issues';
import { replyOptionsFromInputs } from './reply-options';
import { replyWaitProperties, replyWaitReturns } from './reply-wait-properties';
import { sentLog } from './sent-log';
import {
  checkTemplate,
  componentsBlind,
  componentsFor,
  quickReplyTitles,
  type TemplateRequest,
} from './template-message';

type TemplateComponent = Extract<OutboundContent, { type: 'template' }>['components'][number];

/**
 * Template parameters → Cloud API components when the template's definition is not known: header
 * texts or a header media URL, body texts, one quick-reply payload per button.
 */
export function templateComponents(
  header: string[],
  body: string[],
  buttons: string[],
  headerMedia = '',
): TemplateComponent[] {
  return componentsBlind({ name: '', language: '', header, body, payloads: buttons, urlSuffixes: [], headerMedia });
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
      name: { ru: 'Медиа заголовка (ссылка или ID)', en: 'Header media (URL or media id)' },
      description: {
        ru: 'Для шаблонов с картинкой, видео или документом в заголовке: ссылка или ID загруженного файла',
        en: 'For templates with an image, video or document header: a URL or an uploaded media id',
      },
    }),
    button_params: prop.list({
      name: { ru: 'Payload кнопок быстрого ответа', en: 'Quick-reply button payloads' },
      maxItems: 10,
      itemMax: 128,
    }),
    url_params: prop.list({
      name: { ru: 'Окончания ссылок кнопок', en: 'URL button suffixes' },
      description: {
        ru: 'По порядку кнопок-ссылок с переменной {{1}}',
        en: 'In the order of the URL buttons with a {{1}} variable',
      },
      maxItems: 2,
      itemMax: 2000,
    }),
    coupon_code: prop.string({
      name: { ru: 'Код купона (кнопка копирования)', en: 'Coupon code (copy-code button)' },
      max: 15,
    }),
    ...recipientProperties,
    ...sendOptions,
    ...replyWaitProperties,
  },
  returns: { ...sendReturns, ...replyWaitReturns },
  needs: ['template'],
  urlsOf: (input) =>
    input.header_media && !/^\d+$/.test(input.header_media)
      ? [{ property: 'header_media', url: input.header_media }]
      : [],
  async run(ctx, input) {
    const to = await ctx.recipient(input.phone);
    const request: TemplateRequest = {
      name: input.template,
      language: input.language,
      body: input.body_params,
      header: input.header_params,
      headerMedia: input.header_media,
      payloads: input.button_params,
      urlSuffixes: input.url_params,
      couponCode: input.coupon_code,
    };
    const found = await ctx.findTemplate(input.template, input.language);
    const template = found === 'unknown' ? null : checkTemplate(found, request);
    const titles = template ? quickReplyTitles(template) : [];
    let waitId = '';
    if (input.wait_reply) {
      // A template wait answers by its quick replies (their payloads name the wait); without the
      // definition only typed answers can be matched.
      if (!template && input.match_mode === 'button')
        throw invalidProperty(sendTemplate, 'wait_reply', 'window.prop.wait_needs_waba');
      if (template && !titles.length && input.match_mode === 'button')
        throw invalidProperty(sendTemplate, 'wait_reply', 'window.prop.no_quick_replies', { template: input.template });
      const options = replyOptionsFromInputs({ ...input, buttons: titles });
      const opened = await ctx.waits.openReply({
        buttons: titles.map((title) => ({ title })),
        options,
        timeoutMs: timeoutMs(input.timeout, input.timeout_unit),
      });
      waitId = opened.waitId;
    }
    const payload = waitId && titles.length ? (n: number) => encodeButtonId(waitId, n) : undefined;
    const components = template ? componentsFor(template, request, payload) : componentsBlind(request);
    const sent = await ctx.send(
      { type: 'template', name: input.template, language: input.language, components },
      { replyTo: input.reply_to, wait: waitId || undefined },
    );
    const returnValues = sentReturnValues(sent.providerMessageId);
    const what = say('log.what.template', { name: input.template, language: input.language });
    const logMessage = sentLog(ctx.lang, what, to, [sent.providerMessageId]);
    if (!waitId) return { returnValues, logMessage };
    await ctx.waits.attach(waitId, sent.providerMessageId, returnValues);
    return { returnValues, logMessage: `${logMessage}; ${t(ctx.lang, 'window.waitingForReply')}`, pending: true };
  },
});
