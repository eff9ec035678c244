import { inboundMessageSchema } from '../providers/inbound-message';
import type { InboundJob } from '../queues/job-schemas';
import type { LineStore } from '../store/line-store';
import type { OpenLineOutbox } from '../store/open-line-outbox';
import type { OpenLineStore } from '../store/open-line-store';
import { chatIdOf } from './customer-item';

export interface ReceiptNumberingDeps {
  lines: Pick<LineStore, 'findByPhoneNumberId' | 'rememberedOwner'>;
  openLines: Pick<OpenLineStore, 'forLine' | 'forLineWithVersion'>;
  outbox: Pick<OpenLineOutbox, 'numberAtReceipt'>;
}

/**
 * Numbers a customer message at the webhook door, in its open-line chat (line + customer): the
 * dispatcher shows a chat's messages in this order, however late each one's job runs (a backlog, a
 * retry). Messages of one webhook are numbered in the order of its payload (the door numbers them
 * one after the other); a repeated webhook gets the same number. Only lines attached to an open
 * line are numbered (elsewhere nothing would settle the numbers); none for statuses and others.
 */
export function createReceiptNumbering(deps: ReceiptNumberingDeps) {
  /**
   * `jobId`: the inbound job that carries it (the chat does not pass its number while that job may
   * still run); `job.eventKey`, when given, is stored beside it (numberCarrier; open-line-gap-hold.ts).
   */
  return async function numberAtReceipt(job: InboundJob, jobId: string): Promise<number | undefined> {
    if (job.kind !== 'message') return undefined;
    // A route this process remembers: the attachment and the portal's config version in one round
    // trip, the line then checked under that version (each read alone otherwise: two round trips).
    const owner = deps.lines.rememberedOwner(job.phoneNumberId);
    const read = owner ? await deps.openLines.forLineWithVersion(owner.memberId, owner.lineId) : undefined;
    const versionOf = owner && read?.version ? { memberId: owner.memberId, version: read.version } : undefined;
    const line = await deps.lines.findByPhoneNumberId(job.phoneNumberId, { versionOf });
    if (!line) return undefined;
    const readForLine = read && owner?.memberId === line.memberId && owner.lineId === line.id;
    const attachment = readForLine ? read.attachment() : await deps.openLines.forLine(line.memberId, line.id);
    if (!attachment?.active) return undefined;
    // Parsed only for a line with a chat (most messages are not numbered at all).
    const message = inboundMessageSchema.safeParse(job.event);
    // The same customer id the relay keys the chat by (open-line-relay.ts).
    const customer = message.success ? (message.data.from ?? message.data.from_user_id) : undefined;
    if (!message.success || !customer) return undefined;
    // With the event's key: the chat's gap hold follows whichever job claims the event's run.
    const carrier = numberCarrier(jobId, job.eventKey);
    return deps.outbox.numberAtReceipt(line.memberId, chatIdOf(customer, line.id), message.data.id, carrier);
  };
}

/** What a chat number is stored with: the job that carries it, and the event's key when known. */
export function numberCarrier(jobId: string, eventKey: string | undefined): string {
  return eventKey === undefined ? jobId : `${jobId}|${eventKey}`;
}

/** `numberCarrier` read back (a bare job id from an older release reads as one without a key). */
export function readNumberCarrier(carrier: string): { jobId: string; eventKey?: string } {
  const bar = carrier.indexOf('|');
  return bar < 0 ? { jobId: carrier } : { jobId: carrier.slice(0, bar), eventKey: carrier.slice(bar + 1) };
}
