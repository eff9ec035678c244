import type { Clock } from '../lib/clock';
import type { ErrorCode } from '../lib/errors/error-codes';
import type { Logger } from '../lib/logger';
import type { ActivityLog } from '../store/activity-log';
import { parseChatId } from './customer-item';

/** Why a chat's items were dropped: words in the catalogue (`error.<code>`), shown on the settings page. */
export type ChatDropCode = Extract<
  ErrorCode,
  | 'open_line_switched_off'
  | 'open_line_not_delivered'
  | 'open_line_backlog_full'
  | 'open_line_detached'
  | 'portal_address_refused_dropped'
>;

/** Records dropped chat items: nothing leaves an open-line chat's queue unseen. */
export type NoteChatDrop = (memberId: string, chatKey: string, count: number, code: ChatDropCode) => Promise<void>;

/** Drops of one chat for one reason within this time make one activity-log note (a burst, not each). */
export const DROP_NOTE_PERIOD_MS = 10 * 60_000;

/**
 * Items an open-line chat could not take (its line switched off for a day, refused, or too many
 * waiting) are logged and noted in the portal's activity log under their WhatsApp line, where the
 * settings page shows them with their catalogue words.
 */
export function createChatDropNotes(deps: {
  activity: Pick<ActivityLog, 'noteError'>;
  clock: Clock;
  log: Logger;
}): NoteChatDrop {
  // Per process: a full backlog drops one item per new message; the log and the activity log get
  // one note per chat and reason per period, with the count of the drops it stands for.
  const noted = new Map<string, { at: number; since: number }>();
  return async (memberId, chatKey, count, code) => {
    const now = deps.clock.now();
    const key = `${memberId}|${chatKey}|${code}`;
    const last = noted.get(key);
    if (last && now - last.at < DROP_NOTE_PERIOD_MS) {
      last.since += count;
      return;
    }
    if (noted.size >= 10_000) for (const [k, v] of noted) if (now - v.at >= DROP_NOTE_PERIOD_MS) noted.delete(k);
    noted.set(key, { at: now, since: 0 });
    const total = count + (last?.since ?? 0);
    deps.log.error({ memberId, chatKey, count: total, code }, 'open-line chat items dropped');
    const lineId = parseChatId(chatKey)?.lineId ?? '';
    await deps.activity
      .noteError(memberId, { code, lineId, action: 'open_line', at: now })
      .catch((error: unknown) =>
        deps.log.warn({ err: error, memberId }, 'could not note the drop for the settings page'),
      );
  };
}
