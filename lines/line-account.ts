import type { Line } from '../store/line-store';

type AccountOf = Pick<Line, 'provider' | 'phoneNumberId' | 'wabaId'>;

/**
 * The provider account a line's id stands for now: what its cached templates and health record were
 * read from. A re-add that changes it (another number, instance, app or provider, or another WABA id)
 * drops them (lines/line-admin.ts; the health record only for another number: forgottenOnReadd), and a cached list read for another account is not used, nor a
 * read of it still running in this process joined (lines/line-templates.ts): a read still running
 * when the line changed may write its list after the drop. Health records say their number instead
 * (store/line-health-store.ts healthAccount) and are written only while the line has it.
 */
export function lineAccount(line: AccountOf): string {
  return `${line.provider}|${line.phoneNumberId}|${line.wabaId ?? ''}`;
}

/**
 * What a re-add from `before` to `after` forgets of the old account (null: nothing, the same
 * account). The health record is the phone number's (quality, limit, status): a new WABA id for the
 * same number keeps it, and its last change; only the cached templates, listed from the WABA, go.
 */
export function forgottenOnReadd(before: AccountOf, after: AccountOf): { health: boolean } | null {
  if (lineAccount(before) === lineAccount(after)) return null;
  return { health: before.provider !== after.provider || before.phoneNumberId !== after.phoneNumberId };
}
