import type { Clock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { Queues } from '../queues/create-queues';
import type { SwitchOffCheckJob } from '../queues/job-schemas';
import type { Attachment, OpenLineStore } from '../store/open-line-store';

/** What queuing a switch-off check (openlines/confirm-switch-off.ts) uses. */
export interface SwitchOffCheckQueueDeps {
  openLines: Pick<OpenLineStore, 'nextSwitchOffCheck'>;
  queues: Pick<Queues, 'enqueueSwitchOffCheck'>;
  log: Logger;
}

/** The check job of `attachment`'s current number (`checkSeq`, 0 when none was numbered yet). */
export function checkJobOf(memberId: string, attachment: Attachment): SwitchOffCheckJob {
  const { openLineId, lineId, attachedAt } = attachment;
  return { memberId, openLineId, lineId, attachedAt, seq: attachment.checkSeq ?? 0 };
}

/** The attachment's number is ahead of the last one whose check wrote its answer: a check under way or lost. */
export function checkUnsettled(attachment: Attachment): boolean {
  return (attachment.checkSeq ?? 0) > (attachment.settledSeq ?? 0);
}

/** Whether a check's view of the attachment is the same in both reads: same open line, attach, number and flag. */
function sameForChecks(a: Attachment, b: Attachment): boolean {
  return (
    a.openLineId === b.openLineId && a.attachedAt === b.attachedAt && a.checkSeq === b.checkSeq && a.active === b.active
  );
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
  const check = checkJobOf(memberId, attachment);
  try {
    await deps.queues.enqueueSwitchOffCheck(check);
  } catch (error) {
    // Said plainly for an operator: the maintenance sweep (openlines/unsettled-checks.ts) or the
    // next refusal of a customer message there queues it again; attaching the line again settles it.
    deps.log.error({ ...check, err: error }, 'switch-off check not queued: the attachment is left unchecked');
    throw error;
  }
}

/** The first period between two re-queues of one attachment's check (a refusal or the sweep). */
export const CHECK_REQUEUE_BASE_MS = 60_000;
/** The longest period between two re-queues of one attachment's check. */
export const CHECK_REQUEUE_MAX_MS = 60 * 60_000;

/**
 * The periods between two re-queues of one attachment's check, n counting them since it last wrote:
 * doublingPauseMs(baseMs, maxMs, n), so 1 min, 1, 2, 4 … capped at an hour. The store's claim
 * script computes it (check-requeue-claim-1) where it reads n; its test pins it to doublingPauseMs.
 */
export const CHECK_REQUEUE_PERIODS = { baseMs: CHECK_REQUEUE_BASE_MS, maxMs: CHECK_REQUEUE_MAX_MS } as const;

/**
 * Takes the slot of queuing `attachment`'s check again, shared by refused messages and the
 * maintenance sweep: a check whose status call keeps failing (each run ends `unconfirmed`) is
 * queued ever less often, and once it writes its answer the period starts at a minute again.
 */
export function claimCheckRequeue(
  deps: { openLines: Pick<OpenLineStore, 'claimCheckRequeue'>; clock: Clock },
  memberId: string,
  attachment: Attachment,
): Promise<boolean> {
  return deps.openLines.claimCheckRequeue(memberId, attachment, deps.clock.now(), CHECK_REQUEUE_PERIODS);
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
  if (!numbered.checkSeq)
    throw new AppError('internal_error', `switch-off check of open line ${openLineId} was not numbered`);
  await queueSwitchOffCheck(deps, memberId, numbered);
  return numbered;
}

/** What re-checking after the app's own ACTIVE=1 uses. */
export interface RecheckAfterActivateDeps extends SwitchOffCheckQueueDeps {
  openLines: Pick<OpenLineStore, 'forLine' | 'nextSwitchOffCheck'>;
  queues: Pick<Queues, 'enqueueSwitchOffCheck' | 'switchOffCheckPending'>;
}

/**
 * After the app's own `imconnector.activate ACTIVE=1` on `listed`'s open line (a setup applying the
 * stored attachments, `listed` read before the call): a check whose question came before that call
 * may write its answer (off) after it, and ACTIVE=1 sends no event, so the attachment would end off
 * while the portal has it on. Hence, when a check of `listed` still waits or runs, or the attachment
 * changed since (a check numbered or written, attached again), a new check is numbered: it
 * supersedes them and asks after the ACTIVE=1. True: one was queued.
 *
 * Pending is asked before the attachment is read again: a check that writes after that read was
 * still pending when asked (its job is removed only after its write); one that wrote before it
 * shows in the read.
 */
export async function recheckAfterActivate(
  deps: RecheckAfterActivateDeps,
  memberId: string,
  listed: Attachment,
): Promise<boolean> {
  const { openLineId, lineId } = listed;
  const pending = await deps.queues.switchOffCheckPending(checkJobOf(memberId, listed));
  const now = await deps.openLines.forLine(memberId, lineId);
  // Detached or moved since: this open line's flag is no longer the line's.
  if (!now || now.openLineId !== openLineId) return false;
  const changed = !sameForChecks(now, listed);
  if (!pending && !changed) return false;
  const numbered = await numberSwitchOffCheck(deps, memberId, openLineId);
  deps.log.info(
    { memberId, openLineId, lineId, pending, changed, check: numbered?.checkSeq ?? null },
    'a switch-off check may have asked before the app switched the connector on: checking again',
  );
  return numbered !== null;
}

/**
 * After `attached` was stored over `replaced` (the line's record the store replaced) on the same
 * open line: when a switch-off event numbered a check on `replaced`, or a check wrote it, since
 * `before` was read (before the app's ACTIVE=1), that check answers `changed` or wrote a record now
 * gone, and `attached` says on whatever the portal has. A check of `attached` is numbered then.
 * An event for an open line no attachment served yet finds none and is lost here: nothing numbered
 * it, so neither the sweep nor a refusal of a customer message there (openlines/refused-line-check.ts)
 * knows of it until the refusal queues the check of the number the attachment has.
 * A failure is logged: the attach stands.
 */
export async function recheckAfterAttach(
  deps: SwitchOffCheckQueueDeps,
  memberId: string,
  before: Attachment | null,
  replaced: Attachment | null,
  attached: Attachment,
): Promise<void> {
  const { openLineId } = attached;
  if (replaced?.openLineId !== openLineId) return;
  if (before && sameForChecks(before, replaced)) return;
  try {
    const numbered = await numberSwitchOffCheck(deps, memberId, openLineId);
    deps.log.info(
      { memberId, openLineId, check: numbered?.checkSeq ?? null },
      'a switch-off event came while the line was attached: checking with the portal',
    );
  } catch (error) {
    deps.log.error({ memberId, openLineId, err: error }, 'could not check an attachment a switch-off event overtook');
  }
}
