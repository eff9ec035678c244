import { prop, returnProp } from './property';

/** Inputs of every free-form send action: what to do when the customer's 24-hour window is closed. */
export const windowProperties = {
  if_window_closed: prop.select({
    name: { ru: 'Если 24-часовое окно закрыто', en: 'If the 24-hour window is closed' },
    description: {
      ru: 'Клиент не писал больше суток: WhatsApp пропустит только шаблон. Ошибка window_closed (до отправки) или шаблон вместо сообщения (кнопки и список ждут ответа на его кнопки)',
      en: "The customer has not written for over a day: WhatsApp lets only a template through. Fail with window_closed (before sending) or send a template instead (buttons and list robots wait for the answer to the template's buttons)",
    },
    options: {
      fail: { ru: 'ошибка window_closed', en: 'fail with window_closed' },
      template: { ru: 'отправить шаблон', en: 'send a template instead' },
    },
    default: 'fail',
  }),
  fallback_template: prop.string({ name: { ru: 'Шаблон вместо сообщения', en: 'Template instead' }, max: 512 }),
  fallback_language: prop.string({ name: { ru: 'Язык шаблона', en: 'Template language' }, max: 15, default: 'ru' }),
  fallback_body_params: prop.list({
    name: { ru: 'Параметры текста шаблона', en: 'Template body parameters' },
    description: {
      ru: 'По порядку ({{1}}, {{2}}…) или имя=значение для именованных',
      en: 'In order ({{1}}, {{2}}…) or name=value for named ones',
    },
    maxItems: 100,
    itemMax: 1024,
  }),
  fallback_header_params: prop.list({
    name: { ru: 'Параметры заголовка шаблона', en: 'Template header parameters' },
    maxItems: 1,
    itemMax: 60,
  }),
  fallback_header_media: prop.string({
    name: { ru: 'Медиа заголовка шаблона', en: 'Template header media' },
    description: {
      ru: 'Для шаблона с картинкой, видео или документом в заголовке: ссылка (WhatsApp скачает её сам), ссылка на скачивание файла портала (скачивается с портала и загружается в WhatsApp) или ID загруженного файла',
      en: "For a template with an image, video or document header: a link (WhatsApp fetches it), a portal file's download link (downloaded from the portal and uploaded to WhatsApp) or an uploaded media id",
    },
    max: 2048,
  }),
};

/** The window inputs as the actions read them. */
export interface WindowInputs {
  if_window_closed: 'fail' | 'template';
  fallback_template?: string;
  fallback_language: string;
  fallback_body_params: string[];
  fallback_header_params: string[];
  fallback_header_media?: string;
}

/**
 * The fallback's header link for the address check (WhatsApp or the app fetches it). A media id is
 * no link, and neither is anything else that is not an http(s) URL: the fallback's own check says
 * what the value should be (window.prop.media_value).
 */
export function windowUrlsOf(input: Pick<WindowInputs, 'fallback_header_media'>) {
  const media = input.fallback_header_media;
  const isLink = !!media && /^https?:\/\//i.test(media) && URL.canParse(media);
  return media && isLink ? [{ property: 'fallback_header_media', url: media }] : [];
}

/** Return values of a free-form send about the window. */
export const windowReturns = {
  sent_as: returnProp({
    ru: 'Отправлено как: template — шаблон вместо сообщения (окно закрыто), иначе message или пусто',
    en: 'Sent as: template = a template instead of the message (window closed), else message or empty',
  }),
};
