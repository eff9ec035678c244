import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Queues } from '../queues/create-queues';
import type { OpenLineStore } from '../store/open-line-store';
import type { PortalStore } from '../store/portal-store';
import { checkJobOf, checkUnsettled, claimCheckRequeue, queueSwitchOffCheck } from './switch-off-check';

/** What the maintenance sweep of lost switch-off checks uses. */
export interface UnsettledChecksDeps {
  portals: Pick<PortalStore, 'get'>;
  openLines: Pick<OpenLineStore, 'listParsable' | 'claimCheckRequeue'>;
  queues: Pick<Queues, 'enqueueSwitchOffCheck' | 'switchOffCheckPending'>;
  clock: Clock;
  log: Logger;
}

/**
 * Queues again the switch-off check of each attachment of the portal whose check number is ahead of
 * the last one that wrote its answer (`checkSeq` > `settledSeq`) while no check of that number waits
 * or runs: its enqueue failed, it gave up (`unconfirmed`), or an older worker answered it. A line
 * with no customer traffic has no refusal to queue it (openlines/refused-line-check.ts), and until
 * it is settled the attachment says on against an admin's switch-off. A check whose enqueue is just
 * under way may be queued twice: both ask after its event.
 *
 * A check whose status call keeps failing would come back every run: each attachment's re-queue
 * takes the slot the refusals take too (claimCheckRequeue), so it is queued after 1 minute, then 1,
 * 2, 4 … at most once an hour, until it writes. A portal gone or needing a reinstall is skipped:
 * its status call cannot answer. A record that does not parse is skipped with a warning, and a
 * failed enqueue (logged by queueSwitchOffCheck) does not keep the portal's other attachments from
 * theirs; the next run tries again. Answers how many were queued.
 */
export async function requeueUnsettledChecks(deps: UnsettledChecksDeps, memberId: string): Promise<number> {
  const portal = await deps.portals.get(memberId);
  if (!portal || portal.needsReinstall !== undefined) return 0;
  const { attachments, unparsable } = await deps.openLines.listParsable(memberId);
  if (unparsable) deps.log.warn({ memberId, unparsable }, 'open-line attachments that do not parse left unchecked');
  let queued = 0;
  for (const attachment of attachments) {
    if (!checkUnsettled(attachment)) continue;
    const check = checkJobOf(memberId, attachment);
    if (await deps.queues.switchOffCheckPending(check)) continue;
    if (!(await claimCheckRequeue(deps, memberId, attachment))) continue;
    try {
      await queueSwitchOffCheck(deps, memberId, attachment);
    } catch {
      // Logged there; the slot is taken, so the next try waits its period.
      continue;
    }
    const { openLineId, lineId, seq } = check;
    deps.log.warn({ memberId, openLineId, lineId, check: seq }, 'a lost switch-off check queued again by the sweep');
    queued += 1;
  }
  return queued;
}
