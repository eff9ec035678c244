import type { ActionContext } from '../../actions/define-action';
import type { CallInfo } from '../../queues/call-info';
import { buildActionContext } from '../../workers/build-action-context';
import type { Harness } from './harness';

/**
 * The action context one attempt of a robot call gets (a retried job builds a new one for the same
 * call): robot `code` on deal 1 of the harness portal, on line `lineId` (`main` unless given), its
 * event token `token-<callKey>` unless given. `notes` collects what the run says in its log.
 */
export async function robotCallContext(
  h: Harness,
  call: Pick<CallInfo, 'code' | 'callKey'> &
    Partial<Pick<CallInfo, 'eventToken' | 'ifMaybeSent'>> & { lineId?: string },
  notes: string[] = [],
): Promise<ActionContext> {
  const portal = await h.rt.portals.get(h.memberId);
  const line = await h.rt.lines.get(h.memberId, call.lineId ?? 'main');
  if (!portal || !line) throw new Error('not installed');
  const info: CallInfo = {
    kind: 'robot',
    code: call.code,
    eventToken: call.eventToken ?? `token-${call.callKey}`,
    workflowId: 'wf',
    documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
    callKey: call.callKey,
    timeoutDurationSec: 0,
    ...(call.ifMaybeSent === undefined ? {} : { ifMaybeSent: call.ifMaybeSent }),
  };
  return buildActionContext(h.rt, portal, line, info, notes);
}
