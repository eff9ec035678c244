import { ActionError } from '../lib/errors/app-error';
import { say } from '../lib/i18n/catalogue';
import { recipientProperties, sendReturns, sentReturnValues } from './common-properties';
import { defineAction } from './define-action';
import { prop, returnProp } from './property';
import { invalidProperty } from './property-issues';
import { providerMethod, splitIds } from './provider-method';
import { sentLog } from './sent-log';

const { line, phone } = recipientProperties;

/** Forward messages from one chat to another (only providers that can, e.g. Green-API). */
export const forwardMessage = defineAction({
  code: 'forward_message',
  title: { ru: 'Пересылка сообщений', en: 'Forward messages' },
  description: {
    ru: 'Пересылает сообщение(я) в другой чат (не все провайдеры умеют)',
    en: 'Forwards message(s) to another chat (not every provider can)',
  },
  properties: {
    message_id: prop.list({
      name: { ru: 'ID сообщений', en: 'Message ids' },
      description: { ru: 'По одному в строке или через запятую', en: 'One per line or comma-separated' },
      required: true,
      maxItems: 100,
    }),
    from_phone: prop.string({
      name: { ru: 'Из чата (телефон)', en: 'From the chat of (phone)' },
      description: { ru: 'Пусто — чат получателя', en: "Empty = the recipient's chat" },
      max: 64,
    }),
    phone: {
      ...phone,
      descriptor: { ...phone.descriptor, Name: { ru: 'Кому переслать (телефон)', en: 'Forward to (phone)' } },
    },
    line,
  },
  returns: {
    ...sendReturns,
    message_ids: returnProp({
      ru: 'ID пересланных сообщений (через запятую)',
      en: 'Forwarded message ids (comma-separated)',
    }),
  },
  needs: ['forward'],
  async run(ctx, input) {
    const forward = providerMethod(ctx.provider, 'forward', 'forward');
    const messageIds = splitIds(input.message_id);
    if (messageIds.length === 0) throw invalidProperty(forwardMessage, 'message_id', 'prop.required');
    const from = input.from_phone ? input.from_phone.replace(/\D/g, '') : undefined;
    if (from !== undefined && !/^\d{5,20}$/.test(from))
      throw new ActionError('invalid_phone', 'from_phone', {
        says: say('error.detail.invalid_phone', {
          field: forwardMessage.properties.from_phone.descriptor.Name,
          value: input.from_phone ?? '',
        }),
      });
    const to = await ctx.recipient(input.phone);
    const joined = await ctx.once(0, async () =>
      (await forward({ to, from: from ?? to, messageIds })).map((s) => s.providerMessageId).join(','),
    );
    const ids = joined.split(',').filter(Boolean);
    return {
      returnValues: { ...sentReturnValues(ids[0] ?? ''), message_ids: ids.join(',') },
      logMessage: sentLog(
        ctx.lang,
        from
          ? say('log.what.forwarded_from', { count: messageIds.length, from })
          : say('log.what.forwarded', { count: messageIds.length }),
        to,
        ids,
      ),
    };
  },
});
