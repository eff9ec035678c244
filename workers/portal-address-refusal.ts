import { doublingPauseMs } from '../lib/backoff';
import type { Clock } from '../lib/clock';
import { addressRefusalIn } from '../lib/connect-guard';
import type { Logger } from '../lib/logger';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';
import type { ActivityLog } from '../store/activity-log';

/**
 * The portal's own address refused when connecting (lib/connect-guard.ts: its name answered a
 * private address). The install's check found the name public, so the answer changed since: an
 * attack (DNS rebinding), or a filtering resolver, a botched record, a split-horizon change that
 * passes. The callback and open-line dispatchers keep the work and try again slowly (each try only
 * resolves the name again; the guard never connects to a refused address) up to their age limit,
 * and the portal's admin reads it in the settings page's activity log.
 */

/** First pause after a refusal: minutes, not the seconds of an outage (a try is a DNS lookup, not worth polling). */
export const REFUSAL_PAUSE_MS = 5 * 60_000;
/** The pause doubles up to this. */
const REFUSAL_MAX_PAUSE_MS = 60 * 60_000;
/** One activity-log note of each kind (refusals; drops per kind of work and line) per portal in this time, across processes. */
export const REFUSAL_NOTE_PERIOD_MS = 60 * 60_000;

/** The pause before the `attempts`-th try after a refusal (1-based): 5, 10, 20, 40, 60, 60… minutes. */
export function refusalPauseMs(attempts: number): number {
  return doublingPauseMs(REFUSAL_PAUSE_MS, REFUSAL_MAX_PAUSE_MS, attempts);
}

export interface AddressRefusalNotes {
  /** Logs the refusal (host, refused address) and notes it for the portal's admin, once per period. */
  refused(
    memberId: string,
    error: unknown,
    detail: { what: 'callbacks' | 'open_line'; pauseMs: number },
  ): Promise<void>;
  /** Work dropped after its age limit while the portal's address was refused: noted once per period and kind of work. */
  dropped(memberId: string, what: 'callbacks' | 'open_line', lineId: string): Promise<void>;
}

export interface AddressRefusalNoteDeps {
  activity: Pick<ActivityLog, 'noteError'>;
  clock: Clock;
  log: Logger;
  redis: RedisClient;
  keys: Pick<RedisKeys, 'addressRefusalNotes' | 'addressRefusalNoteField'>;
}

/**
 * Notes of portal address refusals for both dispatchers. Each callback and chat retries on its own
 * timetable, so refusals and drops come one by one for a day: the period is claimed in Redis
 * (period-claim-1, app clock), one note of each kind per portal an hour whatever the processes.
 * The claim comes first (two processes must not both write), so a note whose write fails gives
 * its claim back (period-release-1): the next refusal notes again instead of nothing for an hour.
 */
export function createAddressRefusalNotes(deps: AddressRefusalNoteDeps): AddressRefusalNotes {
  const giveBack = (memberId: string, field: string, claimedMs: number) =>
    scripts
      .releasePeriod(deps.redis, deps.keys.addressRefusalNotes(memberId), field, claimedMs)
      .catch((error: unknown) =>
        deps.log.warn({ err: error, memberId }, 'could not give back the address refusal note period'),
      );
  /**
   * Notes `entry` once per period of `field`. A failed claim notes anyway: a lost note is worse
   * than two (and the note goes to the same Redis, so it most likely fails the same way and is logged).
   */
  const noteOnce = async (
    memberId: string,
    field: string,
    entry: { code: 'portal_address_refused' | 'portal_address_refused_dropped'; action: string; lineId: string },
  ): Promise<void> => {
    const key = deps.keys.addressRefusalNotes(memberId);
    const nowMs = deps.clock.now();
    const args = { field, nowMs, periodMs: REFUSAL_NOTE_PERIOD_MS, ttlMs: 2 * REFUSAL_NOTE_PERIOD_MS };
    let claimed = false;
    try {
      if ((await scripts.claimPeriod(deps.redis, key, args)) !== 0) return;
      claimed = true;
    } catch (error) {
      deps.log.warn({ err: error, memberId }, 'could not claim the address refusal note period');
    }
    try {
      await deps.activity.noteError(memberId, { ...entry, at: nowMs });
    } catch (error) {
      deps.log.warn({ err: error, memberId }, 'could not note the address refusal for the settings page');
      if (claimed) await giveBack(memberId, field, nowMs);
    }
  };
  return {
    async refused(memberId, error, { what, pauseMs }) {
      const refusal = addressRefusalIn(error);
      deps.log.warn(
        { memberId, what, host: refusal?.host, address: refusal?.address, pauseMs },
        "portal's address refused when connecting; will retry",
      );
      const field = deps.keys.addressRefusalNoteField('refused', '', '');
      await noteOnce(memberId, field, { code: 'portal_address_refused', action: what, lineId: '' });
    },
    async dropped(memberId, what, lineId) {
      deps.log.warn({ memberId, what, lineId }, "work dropped after a day of the portal's address refused");
      // Per line: chats dropped on three lines in one hour are three notes, each naming its line.
      const field = deps.keys.addressRefusalNoteField('dropped', what, lineId);
      await noteOnce(memberId, field, { code: 'portal_address_refused_dropped', action: what, lineId });
    },
  };
}
