import type { Job } from 'bullmq';
import { type BitrixEventJob, bitrixEventJobSchema } from '../queues/job-schemas';
import type { WaitService } from '../waits/wait-service';

/** The CRM document id an update event is about, e.g. DEAL_5, LEAD_7, DYNAMIC_128_5. */
export function documentIdOfEvent(job: Pick<BitrixEventJob, 'event' | 'entityId' | 'entityTypeId'>): string | null {
  if (job.event === 'ONCRMDEALUPDATE') return `DEAL_${job.entityId}`;
  if (job.event === 'ONCRMLEADUPDATE') return `LEAD_${job.entityId}`;
  if (job.event === 'ONCRMDYNAMICITEMUPDATE' && job.entityTypeId) return `DYNAMIC_${job.entityTypeId}_${job.entityId}`;
  return null;
}

/** Stage-change events: cancel the robot waits whose document left their stage. */
export function createBitrixEventProcessor(waits: Pick<WaitService, 'onDocumentChanged'>) {
  return async function processBitrixEvent(job: Job<BitrixEventJob>): Promise<string> {
    const data = bitrixEventJobSchema.parse(job.data);
    const documentId = documentIdOfEvent(data);
    if (!documentId) return 'ignored';
    const cancelled = await waits.onDocumentChanged(data.memberId, documentId);
    return `cancelled ${cancelled}`;
  };
}
