import type { Logger } from '../lib/logger';
import type { Queues } from '../queues/create-queues';
import type { Attachment, OpenLineStore } from '../store/open-line-store';

/** What queuing a switch-off check (openlines/confirm-switch-off.ts) uses. */
export interface SwitchOffCheckQueueDeps {
  openLines: Pick<OpenLineStore, 'nextSwitchOffCheck'>;
  queues: Pick<Queues, 'enqueueSwitchOffCheck'>;
  log: Logger;
}

/**
 * Queues the check of the attachment's current number (`checkSeq`, 0 when none yet). The job id
 * names that number, so while its check waits or runs another call queues nothing new. A failed
 * enqueue is logged and thrown.
 */
export async function queueSwitchOffCheck(
  deps: Pick<SwitchOffCheckQueueDeps, 'queues' | 'log'>,
  memberId: string,
  attachment: Attachment,
): Promise<void> {
  const { openLineId, lineId, attachedAt } = attachment;
  const check = { memberId, openLineId, lineId, attachedAt, seq: attachment.checkSeq ?? 0 };
  try {
    await deps.queues.enqueueSwitchOffCheck(check);
  } catch (error) {
    // Said plainly for an operator: the next refusal of a customer message on that open line
    // queues it again (openlines/refused-line-check.ts), attaching the line again settles it.
    deps.log.error({ ...check, err: error }, 'switch-off check not queued: the attachment is left unchecked');
    throw error;
  }
}

/**
 * Numbers a new check of the attachment serving `openLineId` and queues it: something the portal
 * did (a switch-off event) or the app did (its own ACTIVE=1) may come after the question of a
 * check already numbered, which the new number supersedes. Null: no WhatsApp line serves it.
 */
export async function numberSwitchOffCheck(
  deps: SwitchOffCheckQueueDeps,
  memberId: string,
  openLineId: string,
): Promise<Attachment | null> {
  const numbered = await deps.openLines.nextSwitchOffCheck(memberId, openLineId);
  if (!numbered) return null;
  // nextSwitchOffCheck always writes a number ≥ 1 (0 is a check of the release before numbers).
  if (!numbered.checkSeq) throw new Error(`switch-off check of open line ${openLineId} was not numbered`);
  await queueSwitchOffCheck(deps, memberId, numbered);
  return numbered;
}
