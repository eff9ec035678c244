import type { Logger } from '../lib/logger';
import type { Queues } from '../queues/create-queues';
import type { OpenLineStore } from '../store/open-line-store';
import { queueSwitchOffCheck } from './switch-off-check';

/** What the maintenance sweep of lost switch-off checks uses. */
export interface UnsettledChecksDeps {
  openLines: Pick<OpenLineStore, 'list'>;
  queues: Pick<Queues, 'enqueueSwitchOffCheck' | 'switchOffCheckPending'>;
  log: Logger;
}

/**
 * Queues again the switch-off check of each attachment of the portal whose check number is ahead of
 * the last one that wrote its answer (`checkSeq` > `settledSeq`) while no check of that number waits
 * or runs: its enqueue failed, it gave up (`unconfirmed`), or an older worker answered it. A line
 * with no customer traffic has no refusal to queue it (openlines/refused-line-check.ts), and until
 * it is settled the attachment says on against an admin's switch-off. A check whose enqueue is just
 * under way may be queued twice: both ask after its event. Answers how many were queued.
 */
export async function requeueUnsettledChecks(deps: UnsettledChecksDeps, memberId: string): Promise<number> {
  let queued = 0;
  for (const attachment of await deps.openLines.list(memberId)) {
    const seq = attachment.checkSeq ?? 0;
    if (seq <= (attachment.settledSeq ?? 0)) continue;
    const { openLineId, lineId, attachedAt } = attachment;
    if (await deps.queues.switchOffCheckPending({ memberId, openLineId, lineId, attachedAt, seq })) continue;
    // Failures are logged there; the next sweep tries again.
    await queueSwitchOffCheck(deps, memberId, attachment);
    deps.log.warn({ memberId, openLineId, lineId, check: seq }, 'a lost switch-off check queued again by the sweep');
    queued += 1;
  }
  return queued;
}
