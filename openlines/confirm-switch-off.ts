import type { PortalClient } from '../bitrix/portal-client';
import type { Logger } from '../lib/logger';
import type { SwitchOffCheckJob } from '../queues/job-schemas';
import type { Attachment, OpenLineStore } from '../store/open-line-store';
import { connectorOnOpenLine } from './connector';

export interface ConfirmSwitchOffDeps {
  bitrix: (memberId: string) => Pick<PortalClient, 'call'>;
  openLines: Pick<OpenLineStore, 'forOpenLine' | 'switchAttachment'>;
  log: Logger;
}

/** switched-on: the event was stale and is corrected; off: the portal confirms it; changed: the attachment moved on. */
export type SwitchOffCheckOutcome = 'switched-on' | 'off' | 'changed';

const isThe = (a: Attachment | null, job: SwitchOffCheckJob): a is Attachment =>
  a !== null && a.lineId === job.lineId && a.attachedAt === job.attachedAt;

/**
 * After ONIMCONNECTORSTATUSDELETE marked an attachment off (the door, at once, without the portal):
 * the portal's own answer decides. The event may be the late one of the app's own earlier
 * switch-off (a detach or a move away, then the line attached there again): `imconnector.status`
 * then shows the connector on, and the attachment, still exactly the one the event marked off, is
 * switched back on. Anything else (an admin's switch-off, the attachment replaced, detached or
 * switched on since) leaves it as it is.
 */
export async function confirmSwitchOff(
  deps: ConfirmSwitchOffDeps,
  job: SwitchOffCheckJob,
): Promise<SwitchOffCheckOutcome> {
  const { memberId, openLineId } = job;
  const before = await deps.openLines.forOpenLine(memberId, openLineId);
  if (!isThe(before, job) || before.active) return 'changed';
  const client = deps.bitrix(memberId);
  if (!(await connectorOnOpenLine(client, openLineId))) {
    deps.log.info(
      { memberId, openLineId, lineId: job.lineId },
      'connector off on the open line: the attachment stays off',
    );
    return 'off';
  }
  if (!(await deps.openLines.switchAttachment(memberId, job, true))) return 'changed';
  // An admin's switch-off between the question and the write sent an event whose check is this
  // job (one per attachment while it runs): asked once more, its answer is not missed.
  if (!(await connectorOnOpenLine(client, openLineId))) {
    await deps.openLines.switchAttachment(memberId, job, false);
    deps.log.info(
      { memberId, openLineId, lineId: job.lineId },
      'connector switched off during the check: the attachment stays off',
    );
    return 'off';
  }
  deps.log.warn(
    { memberId, openLineId, lineId: job.lineId },
    'a stale switch-off event was corrected: the connector is on there, the attachment is switched back on',
  );
  return 'switched-on';
}
