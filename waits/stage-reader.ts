import { z } from 'zod';
import { BitrixError } from '../bitrix/bitrix-error';
import type { PortalClientFactory } from '../bitrix/portal-client';
import { MAX_BATCH } from '../bitrix/portal-client';

/** The stage of a document that no longer exists: the robot is over. */
export const DOCUMENT_GONE = '#deleted';

// Only the stage is read: the other fields of the record are left out of the parse, not copied.
const dealSchema = z.object({ STAGE_ID: z.string() });
const leadSchema = z.object({ STATUS_ID: z.string() });
const itemSchema = z.object({ item: z.object({ stageId: z.string() }) });

/** The stage-bearing CRM entity behind a document id, or null (contacts, companies…). */
export function stageSource(
  documentId: string,
): { method: string; params: Record<string, string>; read: (r: unknown) => string } | null {
  const [, dealId] = /^DEAL_(\d+)$/.exec(documentId) ?? [];
  if (dealId) return { method: 'crm.deal.get', params: { id: dealId }, read: (r) => dealSchema.parse(r).STAGE_ID };
  const [, leadId] = /^LEAD_(\d+)$/.exec(documentId) ?? [];
  if (leadId) return { method: 'crm.lead.get', params: { id: leadId }, read: (r) => leadSchema.parse(r).STATUS_ID };
  const [, entityTypeId, itemId] = /^DYNAMIC_(\d+)_(\d+)$/.exec(documentId) ?? [];
  if (entityTypeId && itemId) {
    const read = (r: unknown) => itemSchema.parse(r).item.stageId;
    return { method: 'crm.item.get', params: { entityTypeId, id: itemId }, read };
  }
  return null;
}

/** crm.*.get of a missing id: `{"error":"","error_description":"Not found"}` or NOT_FOUND. */
export function isNotFound(code: string, description: string): boolean {
  return code === 'NOT_FOUND' || ((code === '' || code === 'ERROR') && /not found/i.test(description));
}

/** What the wait service needs of stage reading (a test can give a fixed answer). */
export interface StageReading {
  read(memberId: string, documentId: string): Promise<string>;
}

interface Pending {
  documentId: string;
  resolve: (stage: string) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads documents' current stages (whole ids: a pipeline move changes the prefix), always fresh —
 * a stale stage could resume a robot that is gone. Reads of one portal that arrive within a few ms
 * go out as one `batch` (≤ 50) under the portal's REST limit. '' = no stage to compare.
 */
export class StageReader implements StageReading {
  private readonly pending = new Map<string, Pending[]>();

  constructor(
    private readonly bitrix: PortalClientFactory,
    private readonly gatherMs = 15,
  ) {}

  async read(memberId: string, documentId: string): Promise<string> {
    if (!stageSource(documentId)) return '';
    return new Promise<string>((resolve, reject) => {
      const queue = this.pending.get(memberId) ?? [];
      queue.push({ documentId, resolve, reject });
      this.pending.set(memberId, queue);
      if (queue.length === 1) setTimeout(() => void this.flush(memberId), this.gatherMs);
    });
  }

  private async flush(memberId: string): Promise<void> {
    const queue = this.pending.get(memberId) ?? [];
    this.pending.delete(memberId);
    for (let i = 0; i < queue.length; i += MAX_BATCH) await this.readBatch(memberId, queue.slice(i, i + MAX_BATCH));
  }

  private async readBatch(memberId: string, requests: Pending[]): Promise<void> {
    // Whatever goes wrong, every caller gets an answer (a dangling promise would hang its job).
    try {
      await this.readBatchOrThrow(memberId, requests);
    } catch (error) {
      for (const r of requests) r.reject(error);
    }
  }

  private async readBatchOrThrow(memberId: string, requests: Pending[]): Promise<void> {
    const documents = [...new Set(requests.map((r) => r.documentId))];
    const commands = Object.fromEntries(
      documents.map((doc, i) => {
        const source = stageSource(doc);
        return [`s${i}`, [source?.method ?? '', source?.params ?? {}] as [string, Record<string, unknown>]];
      }),
    );
    const outcome = await this.bitrix(memberId).batch(commands);
    const stages = new Map<string, string | BitrixError>();
    for (const [i, doc] of documents.entries()) {
      const error = outcome.errors[`s${i}`];
      const source = stageSource(doc);
      if (error && !isNotFound(error.code, error.description))
        stages.set(doc, new BitrixError(error.code, error.description, 200, source?.method ?? ''));
      else stages.set(doc, error ? DOCUMENT_GONE : (source?.read(outcome.results[`s${i}`]) ?? ''));
    }
    for (const r of requests) {
      const stage = stages.get(r.documentId);
      if (typeof stage === 'string') r.resolve(stage);
      else r.reject(stage);
    }
  }
}
