import { z } from 'zod';
import { isRetryableBitrixCode, isWorkflowGone } from '../bitrix/bitrix-error';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { parseStoredJson } from '../lib/stored-json';

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

/** What a stored row must be to count as a callback at all (another release's shape is kept for it). */
const someCallbackSchema = z.object({ eventToken: z.string(), queuedAt: z.number() });

/**
 * How long a callback this worker cannot read waits before it is claimed again. A rolling deploy
 * replaces the workers within minutes, and only a newer worker's claim sends the row: once the last
 * older worker has put it back, its workflow waits at most this long more. A look costs one claimed
 * row (an HGET and a ZADD), so looking every 90 s for the few minutes both releases run is cheap.
 */
export const UNREADABLE_RECHECK_MS = 90_000;

/**
 * A claimed outbox row this version cannot read. Not a callback at all (not JSON, no event token
 * or no queue time: every release writes both): dropped, counted `dropped_unreadable`. A callback of
 * another shape (a newer release's, during a rolling deploy): put back as it is for the workers that
 * read it, claimed again after UNREADABLE_RECHECK_MS and counted `kept_unreadable` at each look, so
 * an operator sees rows waiting for a newer worker; once older than the retry budget it is dropped
 * for its age, counted `dropped_kept_expired` (not garbage: no worker that reads it claimed it in time).
 */
export function setAsideUnreadable(
  deps: { clock: Clock; log: Pick<Logger, 'warn' | 'error'>; metrics: Pick<Metrics, 'callbacks'> },
  o: { memberId: string; row: { id: string; json: string }; maxAgeMs: number },
  settle: { acks: string[]; retries: Array<{ id: string; json: string; dueMs: number }> },
): void {
  const { memberId, row } = o;
  const seen = parseStoredJson(someCallbackSchema, row.json);
  if (!seen) {
    settle.acks.push(row.id);
    deps.metrics.callbacks.inc({ outcome: 'dropped_unreadable' });
    deps.log.error({ memberId, row: row.id }, 'callback dropped: stored in a form no worker can read');
    return;
  }
  const now = deps.clock.now();
  if (now - seen.queuedAt > o.maxAgeMs) {
    settle.acks.push(row.id);
    deps.metrics.callbacks.inc({ outcome: 'dropped_kept_expired' });
    deps.log.error(
      { memberId, row: row.id, queuedAt: seen.queuedAt },
      'callback dropped after its retry budget: kept for a newer worker, none claimed it in time',
    );
    return;
  }
  settle.retries.push({ id: row.id, json: row.json, dueMs: now + UNREADABLE_RECHECK_MS });
  deps.metrics.callbacks.inc({ outcome: 'kept_unreadable' });
  deps.log.warn({ memberId, row: row.id }, 'callback kept for a newer worker: stored in a form this one cannot read');
}
