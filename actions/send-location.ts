import { say } from '../lib/i18n/catalogue';
import { recipientProperties, sendOptions, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { sentLog } from './sent-log';
import { sendFreeForm, windowOutcome } from './window-fallback';
import { windowProperties, windowReturns, windowUrlsOf } from './window-properties';

/** Send a location pin. */
export const sendLocation = defineAction({
  code: 'send_location',
  title: { ru: 'Отправка геолокации', en: 'Send a location' },
  description: { ru: 'Отправляет клиенту точку на карте', en: 'Sends a location pin to the customer' },
  properties: {
    latitude: prop.number({ name: { ru: 'Широта', en: 'Latitude' }, required: true, min: -90, max: 90 }),
    longitude: prop.number({ name: { ru: 'Долгота', en: 'Longitude' }, required: true, min: -180, max: 180 }),
    name: prop.string({ name: { ru: 'Название места', en: 'Place name' }, max: 1000 }),
    address: prop.string({ name: { ru: 'Адрес', en: 'Address' }, max: 1000 }),
    ...recipientProperties,
    ...sendOptions,
    ...windowProperties,
  },
  returns: { ...sendReturns, ...windowReturns },
  needs: ['location'],
  urlsOf: windowUrlsOf,
  async run(ctx, input) {
    const to = await ctx.recipient(input.phone);
    const freeForm = await sendFreeForm(
      ctx,
      input,
      {
        type: 'location',
        latitude: input.latitude,
        longitude: input.longitude,
        name: input.name,
        address: input.address,
      },
      { replyTo: input.reply_to },
    );
    const { sent } = freeForm;
    const place = `${input.name ? `${input.name} ` : ''}(${input.latitude}, ${input.longitude})`;
    const logMessage = sentLog(ctx.lang, say('log.what.location', { place }), to, [sent.providerMessageId]);
    return windowOutcome(freeForm, sentReturnValues(sent.providerMessageId), logMessage);
  },
});
