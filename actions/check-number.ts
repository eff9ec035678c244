import { t } from '../lib/i18n/catalogue';
import { recipientProperties } from './common-properties';
import { defineAction } from './define-action';
import { returnProp } from './property';

/** Does this phone have WhatsApp? (`yes`/`no`, or `unknown` where the provider cannot tell.) */
export const checkNumber = defineAction({
  code: 'check_number',
  title: { ru: 'Проверка номера', en: 'Check a number' },
  description: {
    ru: 'Проверяет, есть ли у номера WhatsApp, и приводит номер к стандартному виду',
    en: 'Checks whether a number has WhatsApp and normalises it',
  },
  properties: { ...recipientProperties },
  returns: {
    exists: returnProp({ ru: 'Есть WhatsApp: yes, no, unknown', en: 'Has WhatsApp: yes, no, unknown' }),
    normalized_phone: returnProp({ ru: 'Номер (E.164, без +)', en: 'Phone (E.164 digits)' }),
    status: returnProp({ ru: 'Статус: ok, error', en: 'Status: ok, error' }),
    error_code: returnProp({ ru: 'Код ошибки', en: 'Error code' }),
    error: returnProp({ ru: 'Ошибка', en: 'Error' }),
  },
  // No `needs`: without a provider check the answer is `unknown`, which a BP can branch on.
  needs: [],
  async run(ctx, input) {
    const digits = await ctx.recipient(input.phone);
    const base = { normalized_phone: digits, status: 'ok', error_code: '', error: '' };
    if (!ctx.provider.checkNumber || !ctx.provider.capabilities.has('check_number')) {
      return {
        returnValues: { ...base, exists: 'unknown' },
        logMessage: t(ctx.lang, 'log.number_unknown', { phone: digits, provider: ctx.provider.kind }),
      };
    }
    const { exists } = await ctx.provider.checkNumber(digits);
    const answer = exists ? 'yes' : 'no';
    const logMessage = t(ctx.lang, exists ? 'log.number_has' : 'log.number_has_not', { phone: digits });
    return { returnValues: { ...base, exists: answer }, logMessage };
  },
});
