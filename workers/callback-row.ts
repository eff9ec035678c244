import { z } from 'zod';
import { isRetryableBitrixCode, isWorkflowGone } from '../bitrix/bitrix-error';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { parseStoredJson } from '../lib/stored-json';
import type { ClaimedRow, Reschedule } from '../redis/callback-scripts';
import type { KeptRowWarnings } from './kept-row-warnings';

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
 * older worker has put it back, its workflow waits at most this long more. A drain of kept rows
 * costs a claim and a settle script per 50 rows plus the portal's index move (about 7 round trips),
 * so looking every 90 s for the few minutes both releases run is cheap.
 */
export const UNREADABLE_RECHECK_MS = 90_000;

/**
 * How far ahead of this worker's clock a row's queue time may be before the row counts as garbage:
 * its age would never reach the budget, so kept it would be looked at for ever. The garbage this
 * catches is far off (µs written as ms is decades ahead); a drop is for good, by a worker that
 * cannot read the row, so a host whose clock is a few hours off must not lose its answers: a day
 * (the retry budget), not an hour. Keep the hosts' clocks in sync all the same.
 */
export const MAX_QUEUED_AHEAD_MS = 24 * 3600_000;

/** Where a claimed row's fate goes: `reschedules` only move the row's due time (its json stays). */
export interface UnreadableSettlement {
  acks: string[];
  reschedules: Reschedule[];
}

/**
 * A claimed outbox row this version cannot read, decided once its batch is over (the next look is
 * stamped from then). Not a callback at all (not JSON, no event token or no queue time: every
 * release writes both; or a queue time over MAX_QUEUED_AHEAD_MS ahead): dropped, counted
 * `dropped_unreadable`. A callback of another shape (a newer release's, during a rolling deploy):
 * its due time moved UNREADABLE_RECHECK_MS on for the workers that read it (the row itself is not
 * rewritten), each look counted in `callbacksKeptUnreadable` (looks, not results) and warned once
 * per row and period (debug otherwise); once older than the retry budget it is dropped for its
 * age, counted `dropped_kept_expired` (also when already past it at its first look: no worker that
 * reads it claimed it in time). So every kept row ends within the budget plus MAX_QUEUED_AHEAD_MS.
 */
export function setAsideUnreadable(
  deps: {
    clock: Clock;
    log: Pick<Logger, 'warn' | 'error' | 'debug'>;
    metrics: Pick<Metrics, 'callbacks' | 'callbacksKeptUnreadable'>;
    warnings: KeptRowWarnings;
  },
  o: { memberId: string; row: ClaimedRow; maxAgeMs: number },
  settle: UnreadableSettlement,
): void {
  const { memberId, row } = o;
  const seen = parseStoredJson(someCallbackSchema, row.json);
  const now = deps.clock.now();
  if (!seen || seen.queuedAt - now > MAX_QUEUED_AHEAD_MS) {
    settle.acks.push(row.id);
    deps.metrics.callbacks.inc({ outcome: 'dropped_unreadable' });
    deps.log.error(
      { memberId, row: row.id, queuedAt: seen?.queuedAt, aheadMs: seen ? seen.queuedAt - now : undefined },
      seen
        ? 'callback dropped: its queue time is too far ahead of this clock'
        : 'callback dropped: stored in a form no worker can read',
    );
    return;
  }
  if (now - seen.queuedAt > o.maxAgeMs) {
    settle.acks.push(row.id);
    deps.metrics.callbacks.inc({ outcome: 'dropped_kept_expired' });
    deps.log.error(
      { memberId, row: row.id, queuedAt: seen.queuedAt },
      'callback dropped after its retry budget: kept for a newer worker, none claimed it in time',
    );
    return;
  }
  settle.reschedules.push({ id: row.id, sha: row.sha, dueMs: now + UNREADABLE_RECHECK_MS });
  deps.metrics.callbacksKeptUnreadable.inc();
  const level = deps.warnings.levelFor(memberId, row.id, now);
  deps.log[level === 'warn' ? 'warn' : 'debug'](
    { memberId, row: row.id, queuedAt: seen.queuedAt },
    'callback kept for a newer worker: stored in a form this one cannot read',
  );
  if (level === 'over_cap')
    deps.log.warn(
      { remembered: deps.warnings.cap },
      'more callbacks kept for a newer worker than this process warns about: the others log at debug (wa_callbacks_kept_unreadable_total counts every look)',
    );
}
