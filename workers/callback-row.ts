import { isRetryableBitrixCode, isWorkflowGone } from '../bitrix/bitrix-error';

/** What to do with one `bizproc.event.send` row of a batch answer. */
export type CallbackRowOutcome = 'sent' | 'workflow_gone' | 'retry' | 'rejected';

/**
 * Decides per row: no error = sent; a gone workflow ends the wait (not a fault); rate and time
 * limits, 5xx-like codes and missing rows are retried; anything else (ACCESS_DENIED …) is final.
 */
export function classifyCallbackRow(error: { code: string; description: string } | undefined): CallbackRowOutcome {
  if (!error) return 'sent';
  if (isWorkflowGone(error.code, error.description)) return 'workflow_gone';
  // Rows come inside an HTTP 200 answer: only the code says whether another try can help.
  return isRetryableBitrixCode(error.code, 200) ? 'retry' : 'rejected';
}

/** Retry pause for a callback's n-th attempt: doubling from 0.5 s, at most a minute. */
export function callbackBackoffMs(attempts: number): number {
  return Math.min(60_000, 500 * 2 ** Math.min(attempts, 7));
}
