import type { PortalClient } from '../bitrix/portal-client';
import type { Logger } from '../lib/logger';
import type { SwitchOffCheckJob } from '../queues/job-schemas';
import type { OpenLineStore } from '../store/open-line-store';
import { connectorOnOpenLine } from './connector';

export interface ConfirmSwitchOffDeps {
  bitrix: (memberId: string) => Pick<PortalClient, 'call'>;
  openLines: Pick<OpenLineStore, 'settleSwitchOffCheck'>;
  log: Logger;
}

/**
 * on / off: the portal's answer, now the attachment's; superseded: a newer event's check decides;
 * changed: the attachment was detached or replaced since the event.
 */
export type SwitchOffCheckOutcome = 'on' | 'off' | 'superseded' | 'changed';

/**
 * After ONIMCONNECTORSTATUSDELETE (the door queued this check and changed nothing else): the
 * portal's own answer (`imconnector.status`) becomes the attachment's `active`. The event may be
 * an admin's switch-off (off) or the late one of the app's own earlier switch-off, a detach or a
 * move away, the line attached there again since (on).
 *
 * Why the door does not mark the line off first: a late own event then costs nothing (marking off
 * first lost messages for seconds). The price: while this check is pending, a message to an open
 * line whose connector is really off is refused by the portal (NOT_ACTIVE_LINE), its chat pauses 5
 * minutes, and once the check has written off its items are dropped (not delivered). Should this
 * check be lost, the maintenance sweep (openlines/unsettled-checks.ts) or such a refusal
 * (openlines/refused-line-check.ts) queues it again.
 *
 * The write is one compare-and-set, made only while the attachment is still the event's and its
 * check sequence still this job's: an event arriving after the question (an admin's switch-off
 * between the question and the write, a repeated event while this job finishes) has bumped the
 * sequence and queued its own check, which asks after it and decides. So the check holds no state
 * between tries: a retry, or a run again after a stall, simply asks again.
 */
export async function confirmSwitchOff(
  deps: ConfirmSwitchOffDeps,
  job: SwitchOffCheckJob,
): Promise<SwitchOffCheckOutcome> {
  const { memberId, openLineId, lineId } = job;
  const on = await connectorOnOpenLine(deps.bitrix(memberId), openLineId);
  const written = await deps.openLines.settleSwitchOffCheck(memberId, job, on);
  if (written === 'superseded' || written === 'changed') {
    deps.log.info(
      { memberId, openLineId, lineId, seq: job.seq, written },
      'switch-off check: not this check’s to decide',
    );
    return written;
  }
  const where = { memberId, openLineId, lineId, on, written };
  // Switched on: a stale event of the app's own switch-off had found it off (worth a warning).
  if (written === 'switched' && on) deps.log.warn(where, 'the portal has the connector on: attachment switched on');
  else deps.log.info(where, on ? 'the portal has the connector on' : 'the portal has the connector off');
  return on ? 'on' : 'off';
}
