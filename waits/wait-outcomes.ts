import type { ActionError } from '../lib/errors/app-error';
import type { ReplyMatch } from './match-reply';
import type { Wait } from './wait-schema';
import type { WaitOutcome } from './wait-store';

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '');

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
  wait: Wait,
  match: Extract<ReplyMatch, { matched: true }> | { answer: string; answerIndex: number; answerId: string },
  replyText: string,
  replyMessageId: string,
  at: number,
  note = '',
): WaitOutcome {
  const ru = wait.lang === 'ru';
  const said = match.answer ? `"${match.answer}"` : ru ? '(вне вариантов)' : '(off-script)';
  return {
    returnValues: {
      ...wait.baseReturn,
      status: 'answered',
      answer: match.answer,
      answer_index: match.answerIndex ? String(match.answerIndex) : '',
      answer_id: match.answerId,
      reply_text: replyText,
      reply_message_id: replyMessageId,
      answered_at: iso(at),
      error_code: '',
      error: '',
    },
    logMessage: `${ru ? 'WhatsApp: клиент ответил' : 'WhatsApp: the customer answered'} ${said}${replyText && replyText !== match.answer ? ` — "${replyText}"` : ''}${note ? ` (${note})` : ''}`,
  };
}

/** Nobody answered in time. */
export function timeoutOutcome(wait: Wait, at: number): WaitOutcome {
  const ru = wait.lang === 'ru';
  return {
    returnValues: { ...wait.baseReturn, status: 'timeout', ...emptyReply, error_code: '', error: '' },
    logMessage: ru
      ? `WhatsApp: ответа нет, время ожидания истекло (${iso(at)})`
      : `WhatsApp: no answer; the wait timed out (${iso(at)})`,
  };
}

/** Ended by someone (operator reply, manual cancel). */
export function cancelledOutcome(wait: Wait, reason: string): WaitOutcome {
  const ru = wait.lang === 'ru';
  return {
    returnValues: { ...wait.baseReturn, status: 'cancelled', ...emptyReply, error_code: '', error: '' },
    logMessage: ru ? `WhatsApp: ожидание ответа отменено (${reason})` : `WhatsApp: the wait was cancelled (${reason})`,
  };
}

/** The message itself failed after it was accepted (e.g. 131047 arrives as a `failed` status). */
export function failedOutcome(wait: Wait, error: ActionError, at: number): WaitOutcome {
  const lang = wait.lang;
  const values: Record<string, string> = { ...wait.baseReturn, error_code: error.code, error: error.text(lang) };
  if (wait.purpose === 'delivery')
    Object.assign(values, { status: 'sent', delivery_status: 'failed', delivered_at: '', read_at: '' });
  else Object.assign(values, { status: 'error', ...emptyReply });
  return {
    returnValues: values,
    logMessage: `WhatsApp: ${lang === 'ru' ? 'сообщение не доставлено' : 'message not delivered'} (${error.code}: ${error.text(lang)}) ${iso(at)}`,
  };
}

/** A delivery wait reached its target (delivered or read). */
export function deliveryOutcome(
  wait: Wait,
  status: 'delivered' | 'read' | 'timeout',
  deliveredAt: number | undefined,
  readAt: number | undefined,
): WaitOutcome {
  const ru = wait.lang === 'ru';
  const text =
    status === 'timeout'
      ? ru
        ? 'WhatsApp: статус доставки не получен вовремя'
        : 'WhatsApp: no delivery status in time'
      : ru
        ? `WhatsApp: сообщение ${status === 'read' ? 'прочитано' : 'доставлено'}`
        : `WhatsApp: message ${status}`;
  return {
    returnValues: {
      ...wait.baseReturn,
      status: 'sent',
      delivery_status: status,
      delivered_at: iso(deliveredAt ?? (status === 'read' ? readAt : undefined)),
      read_at: iso(readAt),
      error_code: '',
      error: '',
    },
    logMessage: text,
  };
}
