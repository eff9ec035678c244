import type { Clock } from '../lib/clock';
import type { ErrorCode } from '../lib/errors/error-codes';
import type { Logger } from '../lib/logger';
import type { ActivityLog } from '../store/activity-log';
import { parseChatId } from './customer-item';

/** Why a chat's items were dropped: words in the catalogue (`error.<code>`), shown on the settings page. */
export type ChatDropCode = Extract<
  ErrorCode,
  'open_line_switched_off' | 'open_line_not_delivered' | 'open_line_backlog_full'
>;

/** Records dropped chat items: nothing leaves an open-line chat's queue unseen. */
export type NoteChatDrop = (memberId: string, chatKey: string, count: number, code: ChatDropCode) => Promise<void>;

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
  return async (memberId, chatKey, count, code) => {
    deps.log.error({ memberId, chatKey, count, code }, 'open-line chat items dropped');
    const lineId = parseChatId(chatKey)?.lineId ?? '';
    await deps.activity
      .noteError(memberId, { code, lineId, action: 'open_line', at: deps.clock.now() })
      .catch((error: unknown) =>
        deps.log.warn({ err: error, memberId }, 'could not note the drop for the settings page'),
      );
  };
}
