import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Queues } from '../queues/create-queues';
import { isStillComing } from '../queues/job-retry';
import type { OpenLineOperatorJob } from '../queues/job-schemas';
import type { OperatorChatOrder } from '../store/operator-chat-order';

export interface OperatorOrderGateDeps {
  operatorOrder: Pick<OperatorChatOrder, 'state' | 'startGap' | 'jobOf' | 'settle' | 'passGap'>;
  queues: { openLineOperator: Pick<Queues['openLineOperator'], 'getJobState' | 'getJob'> };
  clock: Clock;
  log: Logger;
  /** How long a chat's operator message waits for a missing earlier number (default 30 s). */
  openLineGapTimeoutMs?: number;
}

/**
 * Whether an operator message may go to WhatsApp now: its number is the chat's next one (or lower:
 * late, after its gap was passed). A missing earlier number holds it; after the gap time-out
 * (injected clock) it goes on — unless the earlier message's job is still there (retrying after a
 * failure: its turn is kept, however long its retries take; a first message that fails for good is
 * settled with its refusal note, and the second goes on after it).
 */
export async function operatorMayGo(deps: OperatorOrderGateDeps, data: OpenLineOperatorJob): Promise<boolean> {
  const { chatSeq, memberId, chatId } = data;
  if (chatSeq === undefined) return true;
  const { next, gap } = await deps.operatorOrder.state(memberId, chatId);
  if (chatSeq <= next) return true;
  const now = deps.clock.now();
  if (!gap || gap.awaited !== next) {
    await deps.operatorOrder.startGap(memberId, chatId, next, now);
    return false;
  }
  if (now - gap.since < (deps.openLineGapTimeoutMs ?? 30_000)) return false;
  // The time-out passed: each missing number before this one is skipped in one atomic step that
  // holds only while the chat still waits for it, so of several held messages only the next one
  // goes (4 still waits for 3). Numbers before `chatSeq` were all given before it was held, so a
  // run of missing ones has waited the time-out too.
  let awaited = next;
  while (awaited < chatSeq) {
    if (await stillComing(deps, memberId, chatId, awaited)) return false;
    const moved = await deps.operatorOrder.passGap(memberId, chatId, awaited);
    if (moved !== awaited + 1) return chatSeq <= moved; // another holder passed it, or it settled
    deps.log.warn(
      { memberId, chatId, missing: awaited, waiting: chatSeq },
      'operator messages went on past a missing number (gap time-out)',
    );
    awaited = moved;
  }
  return true;
}

/** Whether the job that carries number `n` is still on its way (queued, running, retrying). */
async function stillComing(deps: OperatorOrderGateDeps, memberId: string, chatId: string, n: number) {
  const job = await deps.operatorOrder.jobOf(memberId, chatId, n);
  return job !== null && isStillComing(await deps.queues.openLineOperator.getJobState(job));
}

/**
 * Settles an operator message's number: the chat's next one may go, and goes at once if it is
 * waiting (its own look again is only the fallback).
 */
export async function settleOperatorTurn(deps: OperatorOrderGateDeps, data: OpenLineOperatorJob): Promise<void> {
  if (data.chatSeq === undefined) return;
  const next = await deps.operatorOrder.settle(data.memberId, data.chatId, data.chatSeq);
  const waiting = await deps.operatorOrder.jobOf(data.memberId, data.chatId, next);
  const job = waiting ? await deps.queues.openLineOperator.getJob(waiting) : undefined;
  // It may be running its check right now (not delayed): then it looks again shortly by itself.
  if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
}
