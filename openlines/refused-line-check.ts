import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Queues } from '../queues/create-queues';
import type { ChatItem } from '../store/chat-item';
import type { OpenLineStore } from '../store/open-line-store';
import { parseChatId } from './customer-item';
import { connectorLineOf } from './stale-open-lines';
import { checkJobOf, claimCheckRequeue, queueSwitchOffCheck } from './switch-off-check';

/** What queuing a check again after a refused message uses. */
export interface RefusedLineCheckDeps {
  openLines: Pick<OpenLineStore, 'forLine' | 'claimCheckRequeue'>;
  queues: Pick<Queues, 'enqueueSwitchOffCheck' | 'switchOffCheckPending'>;
  clock: Clock;
  log: Logger;
}

/**
 * The portal refused `group` as not active (NOT_ACTIVE_LINE) on the open line the chat's line is
 * still attached to and switched on there (leftOpenLine answered "still the line's"). Then the
 * check of a switch-off event was probably lost: its enqueue failed, it gave up (`unconfirmed`), or
 * an older worker answered it. The check of the attachment's current number is queued again, so the
 * portal's answer gets written and the next round drops or sends the items as the portal says.
 *
 * Not a new number: a number per refusal would give each chat's check its own job id, and every
 * chat on the open line would queue one. While a check of the current number waits or runs, a
 * refusal takes no slot and queues nothing: that check is the repair already under way, and the
 * count of re-queues grows only with checks queued again (a check waiting behind a setup backlog
 * would otherwise start at a long period once it failed). Beyond that, an attachment's check is
 * queued again at most once per CHECK_REQUEUE_BASE_MS, longer while it keeps failing (a slot in
 * Redis shared with the sweep, times of the injected clock): a check taken and failed to queue
 * waits for the next period too. The check's question comes after its enqueue, so after every
 * event that numbered the attachment — unless a check of that number already runs and has asked:
 * then the first refusal after it is done, and after the period, queues it again. A later event
 * numbers a new check as always. True: queued (or found waiting or running).
 */
export async function checkRefusedOpenLine(
  deps: RefusedLineCheckDeps,
  memberId: string,
  chatKey: string,
  group: ChatItem[],
): Promise<boolean> {
  const openLineId = group[0] && connectorLineOf(group[0]);
  const lineId = parseChatId(chatKey)?.lineId;
  if (!openLineId || !lineId) return false;
  try {
    const attachment = await deps.openLines.forLine(memberId, lineId);
    if (!attachment?.active || attachment.openLineId !== openLineId) return false;
    // Asked before the claim: a check queued between the two costs one count, as a sweep's would.
    if (await deps.queues.switchOffCheckPending(checkJobOf(memberId, attachment))) return true;
    if (!(await claimCheckRequeue(deps, memberId, attachment))) return false;
    await queueSwitchOffCheck(deps, memberId, attachment);
    deps.log.warn(
      { memberId, chatKey, openLineId, check: attachment.checkSeq ?? 0 },
      'the portal refused an open line the attachment says is on: checking with the portal',
    );
    return true;
  } catch (error) {
    // The chat pauses as it would have; a refusal after the period tries again.
    deps.log.error({ memberId, chatKey, openLineId, err: error }, 'could not queue a check of a refused open line');
    return false;
  }
}
