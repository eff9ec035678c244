import { t } from '../lib/i18n/catalogue';
import { recipientProperties } from './common-properties';
import { defineAction } from './define-action';
import { returnProp } from './property';

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '');

/** "Can I write freely?": is the customer's 24-hour window open, until when, and when they last wrote. */
export const checkWindow = defineAction({
  code: 'check_window',
  title: { ru: 'Можно ли писать свободно?', en: 'Can I write freely?' },
  description: {
    ru: 'Открыто ли 24-часовое окно клиента (писал ли он за последние сутки): если нет, пройдёт только шаблон',
    en: "Whether the customer's 24-hour window is open (they wrote within a day): if not, only a template goes through",
  },
  properties: { ...recipientProperties },
  returns: {
    window_open: returnProp({ ru: 'Окно открыто (Y/N)', en: 'Window open (Y/N)' }, 'bool'),
    window_closes_at: returnProp({ ru: 'Окно закроется', en: 'Window closes at' }, 'datetime'),
    last_inbound_at: returnProp({ ru: 'Клиент писал последний раз', en: 'Customer last wrote at' }, 'datetime'),
    window_state: returnProp({ ru: 'Состояние (open/closed/unknown)', en: 'State (open/closed/unknown)' }),
    status: returnProp({ ru: 'Статус (ok/error)', en: 'Status (ok/error)' }),
    error_code: returnProp({ ru: 'Код ошибки', en: 'Error code' }),
    error: returnProp({ ru: 'Ошибка', en: 'Error' }),
  },
  needs: [],
  async run(ctx, input) {
    const to = await ctx.recipient(input.phone);
    const base = { status: 'ok', error_code: '', error: '' };
    if (!ctx.provider.capabilities.has('customer_window')) {
      // No window on this provider: free-form messages go at any time.
      return {
        returnValues: { ...base, window_open: 'Y', window_closes_at: '', last_inbound_at: '', window_state: 'open' },
        logMessage: `WhatsApp: +${to} — ${t(ctx.lang, 'window.noWindow', { provider: ctx.provider.kind })}`,
      };
    }
    const state = await ctx.customerWindow();
    const word = state.open === null ? 'unknown' : state.open ? 'open' : 'closed';
    const said =
      word === 'open'
        ? t(ctx.lang, 'window.openUntil', { closesAt: iso(state.closesAt) })
        : t(ctx.lang, word === 'closed' ? 'window.closed' : 'window.unknown');
    return {
      returnValues: {
        ...base,
        // Unknown counts as closed: a template goes through either way.
        window_open: state.open ? 'Y' : 'N',
        window_closes_at: iso(state.closesAt),
        last_inbound_at: iso(state.lastInboundAt),
        window_state: word,
      },
      logMessage: `WhatsApp: +${to} — ${said}`,
    };
  },
});
