import type { ActionError } from '../lib/errors/app-error';
import { t } from '../lib/i18n/catalogue';
import type { MessageKey } from '../lib/i18n/en';
import { datetimeValue, logTime } from '../lib/portal-time';
import type { ReplyMatch } from './match-reply';
import type { Wait } from './wait-schema';
import type { WaitOutcome } from './wait-store';

/**
 * A wait with its portal's time zone ('' = UTC), read from the portal when the outcome is built: the
 * stored wait stays lean (an open wait is counted in bytes).
 */
export type ZonedWait = Wait & { timeZone: string };

/** A `datetime` return value in the wait's portal zone (ISO 8601 with offset; '' for none). */
const returned = (wait: ZonedWait, ms: number | undefined) => datetimeValue(ms, wait.timeZone);

/** Why a wait was cancelled, in the portal's words: known reasons from the catalogue, others as given. */
const cancelReasons: Readonly<Record<string, MessageKey>> = {
  manual: 'cancel.manual',
  operator_replied: 'cancel.operator_replied',
  settings_page: 'cancel.settings_page',
};

/**
 * The send's return values with `values` over them: what `{ ...base, ...values }` gives, built with
 * Object.assign (V8 adds each property written after a leading spread slowly: µs per outcome).
 */
function over(
  base: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.assign({}, base, values);
}

const emptyReply = {
  answer: '',
  answer_index: '',
  answer_id: '',
  reply_text: '',
  reply_message_id: '',
  answered_at: '',
};

/** The customer answered. */
export function answeredOutcome(
  wait: ZonedWait,
  match: Extract<ReplyMatch, { matched: true }> | { answer: string; answerIndex: number; answerId: string },
  replyText: string,
  replyMessageId: string,
  at: number,
  note = '',
): WaitOutcome {
  const { lang } = wait;
  let line = match.answer
    ? t(lang, 'log.wait.answered', { answer: match.answer })
    : t(lang, 'log.wait.answered_off_script');
  if (replyText && replyText !== match.answer) line = t(lang, 'log.wait.reply_text', { line, reply: replyText });
  if (note) line = t(lang, 'log.wait.note', { line, note });
  const values = {
    status: 'answered',
    answer: match.answer,
    answer_index: match.answerIndex ? String(match.answerIndex) : '',
    answer_id: match.answerId,
    reply_text: replyText,
    reply_message_id: replyMessageId,
    answered_at: returned(wait, at),
    error_code: '',
    error: '',
  };
  return { returnValues: over(wait.baseReturn, values), logMessage: line };
}

/** Nobody answered in time. */
export function timeoutOutcome(wait: ZonedWait, at: number): WaitOutcome {
  return {
    returnValues: over(wait.baseReturn, { status: 'timeout', ...emptyReply, error_code: '', error: '' }),
    logMessage: t(wait.lang, 'log.wait.timeout', { at: logTime(at, wait.timeZone, wait.lang) }),
  };
}

/**
 * Ended by someone (operator reply, manual cancel). `reason` is a reason code (`manual`,
 * `operator_replied`, `settings_page`: their words come from the catalogue) or words already in the
 * portal's language.
 */
export function cancelledOutcome(wait: ZonedWait, reason: string): WaitOutcome {
  const known = cancelReasons[reason];
  return {
    returnValues: over(wait.baseReturn, { status: 'cancelled', ...emptyReply, error_code: '', error: '' }),
    logMessage: t(wait.lang, 'log.wait.cancelled', { reason: known ? t(wait.lang, known) : reason }),
  };
}

/** The message itself failed after it was accepted (e.g. 131047 arrives as a `failed` status). */
export function failedOutcome(wait: ZonedWait, error: ActionError, at: number): WaitOutcome {
  const lang = wait.lang;
  const values = over(wait.baseReturn, { error_code: error.code, error: error.text(lang) });
  if (wait.purpose === 'delivery')
    Object.assign(values, { status: 'sent', delivery_status: 'failed', delivered_at: '', read_at: '' });
  else Object.assign(values, { status: 'error', ...emptyReply });
  return {
    returnValues: values,
    logMessage: t(lang, 'log.wait.not_delivered', {
      code: error.code,
      text: error.text(lang),
      at: logTime(at, wait.timeZone, lang),
    }),
  };
}

/** A delivery wait reached its target (delivered or read). */
export function deliveryOutcome(
  wait: ZonedWait,
  status: 'delivered' | 'read' | 'timeout',
  deliveredAt: number | undefined,
  readAt: number | undefined,
): WaitOutcome {
  const text = t(wait.lang, `log.delivery.${status}`);
  const values = {
    status: 'sent',
    delivery_status: status,
    delivered_at: returned(wait, deliveredAt ?? (status === 'read' ? readAt : undefined)),
    read_at: returned(wait, readAt),
    error_code: '',
    error: '',
  };
  return { returnValues: over(wait.baseReturn, values), logMessage: text };
}
