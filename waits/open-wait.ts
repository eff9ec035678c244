import type { Clock } from '../lib/clock';
import type { CallInfo } from '../queues/call-info';
import type { Line } from '../store/line-store';
import type { StageReading } from './stage-reader';
import { defaultReplyOptions, type ReplyOptions, type Wait } from './wait-schema';
import type { WaitStore } from './wait-store';

/** The longest a wait may last. */
export const MAX_WAIT_MS = 30 * 86400_000;

/** What an action asks for when it opens a wait. */
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

/** What opening a wait uses. */
export interface OpenWaitDeps {
  store: Pick<WaitStore, 'open'>;
  stages: StageReading;
  clock: Clock;
  /** Deterministic but unguessable id for a value (the same when a job is retried). */
  sign: (value: string) => string;
}

/** Wait id for a call and purpose: unguessable, and the same when the job is retried. */
export function waitIdFor(sign: (value: string) => string, call: Pick<CallInfo, 'callKey'>, purpose: string): string {
  return sign(`${call.callKey}:${purpose}`);
}

/**
 * Stores a wait with its durable time-out (its deadline in the portal's deadline set, which the
 * drain job reads; the portal's own timeout_duration caps it) and, for robots, the stage it starts in.
 */
export async function openWait(deps: OpenWaitDeps, request: OpenWaitRequest): Promise<Wait> {
  const { call, line } = request;
  // A wait reports to a workflow: an API send has none (it never subscribes, so never gets here).
  if (call.kind === 'api') throw new Error('an API send cannot open a wait');
  const now = deps.clock.now();
  // The portal counts its timeout_duration from its call, not from when the job ran.
  const portalDeadline =
    call.timeoutDurationSec > 0 ? (call.receivedAt ?? now) + call.timeoutDurationSec * 1000 : Number.POSITIVE_INFINITY;
  const deadline = Math.min(now + Math.min(request.timeoutMs, MAX_WAIT_MS), portalDeadline);
  const documentId = call.documentId[2] ?? '';
  const stageAtStart =
    call.kind !== 'robot' ? '' : (request.stageAtStart ?? (await deps.stages.read(line.memberId, documentId)));
  const id = waitIdFor(deps.sign, call, request.purpose);
  // The deadline goes into the portal's deadline set with the wait (one script): a retried job keeps the first.
  const { wait } = await deps.store.open({
    id,
    memberId: line.memberId,
    lineId: line.id,
    phone: request.phone,
    kind: call.kind,
    purpose: request.purpose,
    eventToken: call.eventToken,
    workflowId: call.workflowId,
    documentId,
    stageAtStart,
    createdAt: now,
    deadline,
    messageId: '',
    buttons: request.buttons ?? [],
    options: request.options ?? { ...defaultReplyOptions },
    deliveryTarget: request.deliveryTarget ?? '',
    baseReturn: {},
    lang: request.lang,
  });
  return wait;
}
