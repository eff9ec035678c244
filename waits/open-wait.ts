import type { Runtime } from '../runtime/create-runtime';
import type { CallInfo } from '../actions/define-action';
import type { Line } from '../store/line-store';
import type { WaitService } from './wait-service';
import type { ReplyOptions, Wait } from './wait-schema';

/** The longest a wait may last. */
export const MAX_WAIT_MS = 30 * 86400_000;

export interface OpenWaitRequest {
  line: Line;
  call: CallInfo;
  phone: string;
  lang: 'ru' | 'en';
  purpose: 'reply' | 'delivery';
  timeoutMs: number;
  buttons?: Array<{ id: string; title: string }>;
  options?: ReplyOptions;
  deliveryTarget?: 'delivered' | 'read';
  /** The stage read before the message left (delivery waits open after the send). */
  stageAtStart?: string;
}

/** Wait id for a call and purpose: unguessable, and the same when the job is retried. */
export function waitIdFor(rt: Runtime, call: CallInfo, purpose: string): string {
  return rt.sign(`${call.callKey}:${purpose}`);
}

/**
 * Stores a wait with its durable time-out (a delayed job; the portal's own timeout_duration
 * caps it) and, for robots, the stage it starts in.
 */
export async function openWait(rt: Runtime, waits: WaitService, request: OpenWaitRequest): Promise<Wait> {
  const { call, line } = request;
  const now = rt.clock.now();
  // The portal counts its timeout_duration from its call, not from when the job ran.
  const portalDeadline = call.timeoutDurationSec > 0 ? (call.receivedAt ?? now) + call.timeoutDurationSec * 1000 : Infinity;
  const deadline = Math.min(now + Math.min(request.timeoutMs, MAX_WAIT_MS), portalDeadline);
  const documentId = call.documentId[2] ?? '';
  const stageAtStart = call.kind !== 'robot' ? '' : request.stageAtStart ?? (await waits.stages.read(line.memberId, documentId));
  const id = waitIdFor(rt, call, request.purpose);
  const { wait } = await waits.store.open({
    id, memberId: line.memberId, lineId: line.id, phone: request.phone, kind: call.kind, purpose: request.purpose,
    eventToken: call.eventToken, documentId, stageAtStart, createdAt: now, deadline,
    messageId: '', buttons: JSON.stringify(request.buttons ?? []), options: JSON.stringify(request.options ?? {}),
    deliveryTarget: request.deliveryTarget ?? '', baseReturn: '{}', lang: request.lang,
  });
  // Idempotent (job id from the wait): a retried job never loses or doubles the timer.
  await rt.queues.enqueueWaitTimeout({ memberId: line.memberId, waitId: id }, wait.deadline - now);
  return wait;
}
