import { sendProperties } from './common-properties';
import { defineAction } from './define-action';
import { returnProp } from './property';

const { line, phone } = sendProperties;

/** Does this phone have WhatsApp? (`yes`/`no`, or `unknown` where the provider cannot tell.) */
export const checkNumber = defineAction({
  code: 'check_number',
  title: { ru: 'WhatsApp: проверить номер', en: 'WhatsApp: check number' },
  description: {
    ru: 'Проверяет, есть ли у номера WhatsApp, и приводит номер к стандартному виду',
    en: 'Checks whether a number has WhatsApp and normalises it',
  },
  properties: { line, phone },
  returns: {
    exists: returnProp({ ru: 'Есть WhatsApp (yes/no/unknown)', en: 'Has WhatsApp (yes/no/unknown)' }),
    normalized_phone: returnProp({ ru: 'Номер (E.164, без +)', en: 'Phone (E.164 digits)' }),
    status: returnProp({ ru: 'Статус (ok/error)', en: 'Status (ok/error)' }),
    error_code: returnProp({ ru: 'Код ошибки', en: 'Error code' }),
    error: returnProp({ ru: 'Ошибка', en: 'Error' }),
  },
  // No `needs`: without a provider check the answer is `unknown`, which a BP can branch on.
  needs: [],
  async run(ctx, input) {
    const digits = await ctx.recipient(input.phone);
    const ru = ctx.lang === 'ru';
    const base = { normalized_phone: digits, status: 'ok', error_code: '', error: '' };
    if (!ctx.provider.checkNumber || !ctx.provider.capabilities.has('check_number')) {
      const why = ru
        ? `провайдер ${ctx.provider.kind} не умеет проверять номера`
        : `provider ${ctx.provider.kind} cannot check numbers`;
      return {
        returnValues: { ...base, exists: 'unknown' },
        logMessage: `WhatsApp: +${digits} — ${ru ? 'неизвестно' : 'unknown'} (${why})`,
      };
    }
    const { exists } = await ctx.provider.checkNumber(digits);
    const answer = exists ? 'yes' : 'no';
    const said = ru ? (exists ? 'есть WhatsApp' : 'нет WhatsApp') : exists ? 'has WhatsApp' : 'has no WhatsApp';
    return { returnValues: { ...base, exists: answer }, logMessage: `WhatsApp: +${digits} ${said}` };
  },
});
