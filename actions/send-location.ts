import { say } from '../lib/i18n/catalogue';
import { recipientProperties, sendOptions, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { prop } from './property';
import { sentLog } from './sent-log';

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
  },
  returns: sendReturns,
  needs: ['location'],
  async run(ctx, input) {
    const to = await ctx.recipient(input.phone);
    const sent = await ctx.send(
      {
        type: 'location',
        latitude: input.latitude,
        longitude: input.longitude,
        name: input.name,
        address: input.address,
      },
      { replyTo: input.reply_to },
    );
    const place = `${input.name ? `${input.name} ` : ''}(${input.latitude}, ${input.longitude})`;
    return {
      returnValues: sentReturnValues(sent.providerMessageId),
      logMessage: sentLog(ctx.lang, say('log.what.location', { place }), to, [sent.providerMessageId]),
    };
  },
});
