import { z } from 'zod';
import { BitrixError, UNEXPECTED_ANSWER } from '../bitrix/bitrix-error';
import { MAX_BATCH, type PortalClient } from '../bitrix/portal-client';

/** The stage of a document that no longer exists: the robot is over. */
export const DOCUMENT_GONE = '#deleted';

// Only the stage is read: the other fields of the record are left out of the parse, not copied.
const dealSchema = z.object({ STAGE_ID: z.string() });
const leadSchema = z.object({ STATUS_ID: z.string() });
// A smart process with stages turned off answers `stageId: null`: no stage to compare (''), not a bad answer.
const itemSchema = z.object({ item: z.object({ stageId: z.string().nullable() }) });

/** A stage read from one answer: the stage, or an error saying the answer was not understood. */
export type StageRead = (answer: unknown) => string | BitrixError;

/** Reads a schema's stage field, or an UNEXPECTED_ANSWER error naming what was missing. */
function reader<T>(method: string, schema: z.ZodType<T>, stageOf: (parsed: T) => string): StageRead {
  return (answer) => {
    const parsed = schema.safeParse(answer);
    if (parsed.success) return stageOf(parsed.data);
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(answer)').join(', ');
    return new BitrixError(UNEXPECTED_ANSWER, `the answer has no stage we understand (${where})`, 200, method);
  };
}

/** The stage-bearing CRM entity behind a document id, or null (contacts, companies…). */
export function stageSource(
  documentId: string,
): { method: string; params: Record<string, string>; read: StageRead } | null {
  const [, dealId] = /^DEAL_(\d+)$/.exec(documentId) ?? [];
  if (dealId) {
    const read = reader('crm.deal.get', dealSchema, (d) => d.STAGE_ID);
    return { method: 'crm.deal.get', params: { id: dealId }, read };
  }
  const [, leadId] = /^LEAD_(\d+)$/.exec(documentId) ?? [];
  if (leadId) {
    const read = reader('crm.lead.get', leadSchema, (l) => l.STATUS_ID);
    return { method: 'crm.lead.get', params: { id: leadId }, read };
  }
  const [, entityTypeId, itemId] = /^DYNAMIC_(\d+)_(\d+)$/.exec(documentId) ?? [];
  if (entityTypeId && itemId) {
    const read = reader('crm.item.get', itemSchema, (i) => i.item.stageId ?? '');
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
    private readonly bitrix: (memberId: string) => Pick<PortalClient, 'batch'>,
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
      // Each document its own outcome: one answer the app does not understand fails its own reads only.
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
