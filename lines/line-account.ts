import type { Line } from '../store/line-store';

/**
 * The provider account a line's id stands for now: what its cached templates and health record were
 * read from. A re-add that changes it (another number, instance, app or provider, or another WABA id)
 * drops them (lines/line-admin.ts), and a cached list read for another account is not used, nor a
 * read of it still running in this process joined (lines/line-templates.ts): a read still running
 * when the line changed may write its list after the drop.
 */
export function lineAccount(line: Pick<Line, 'provider' | 'phoneNumberId' | 'wabaId'>): string {
  return `${line.provider}|${line.phoneNumberId}|${line.wabaId ?? ''}`;
}
