import { ADDRESS_REFUSED } from '../bitrix/bitrix-error';
import type { ChatDropCode } from '../openlines/chat-drops';
import { refusalPauseMs } from './portal-address-refusal';

// How an open-line chat the portal refused waits, and what its drop after a day is noted as.

/** How long the chats of an open line the connector is off on wait before they are tried again. */
const NOT_ACTIVE_PAUSE_MS = 5 * 60_000;
/** A line switched off stays off until an admin acts, a refused address until DNS changes: their chats pause, not poll. */
export function pauseFor(code: string, backoff: number, attempts: number): number {
  if (code === 'NOT_ACTIVE_LINE') return Math.max(backoff, NOT_ACTIVE_PAUSE_MS);
  return code === ADDRESS_REFUSED ? Math.max(backoff, refusalPauseMs(attempts)) : backoff;
}

/** What the activity log says of items refused for a day. */
export function dropCodeOf(code: string): ChatDropCode {
  if (code === 'NOT_ACTIVE_LINE') return 'open_line_switched_off';
  return code === ADDRESS_REFUSED ? 'portal_address_refused_dropped' : 'open_line_not_delivered';
}
