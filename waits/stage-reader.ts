import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RedisKeys } from '../redis/keys';
import type { PortalClient } from '../bitrix/portal-client';
import { BitrixError } from '../bitrix/bitrix-error';

/** The stage of a document that no longer exists: the robot is over. */
export const DOCUMENT_GONE = '#deleted';

const dealSchema = z.object({ STAGE_ID: z.string() }).loose();
const leadSchema = z.object({ STATUS_ID: z.string() }).loose();
const itemSchema = z.object({ item: z.object({ stageId: z.string() }).loose() });

/** The stage-bearing CRM entity behind a document id, or null (contacts, companies…). */
export function stageSource(documentId: string): { method: string; params: Record<string, string>; read: (r: unknown) => string } | null {
  let m = /^DEAL_(\d+)$/.exec(documentId);
  if (m) return { method: 'crm.deal.get', params: { id: m[1] }, read: (r) => dealSchema.parse(r).STAGE_ID };
  m = /^LEAD_(\d+)$/.exec(documentId);
  if (m) return { method: 'crm.lead.get', params: { id: m[1] }, read: (r) => leadSchema.parse(r).STATUS_ID };
  m = /^DYNAMIC_(\d+)_(\d+)$/.exec(documentId);
  if (m) return { method: 'crm.item.get', params: { entityTypeId: m[1], id: m[2] }, read: (r) => itemSchema.parse(r).item.stageId };
  return null;
}

const isNotFound = (error: unknown) => error instanceof BitrixError && (error.code === 'NOT_FOUND' || (error.code === '' || error.code === 'ERROR') && /not found/i.test(error.description));

/**
 * Reads a document's current stage (whole id: a pipeline move changes the prefix). `maxAgeMs`
 * allows a briefly cached value (stage events); replies read fresh. '' = no stage to compare.
 */
export async function readStage(redis: Redis, keys: RedisKeys, bitrix: PortalClient, documentId: string, maxAgeMs: number): Promise<string> {
  const source = stageSource(documentId);
  if (!source) return '';
  const cacheKey = keys.stageCache(bitrix.memberId, documentId);
  if (maxAgeMs > 0) {
    const cached = await redis.get(cacheKey);
    if (cached !== null) return cached;
  }
  let stage: string;
  try {
    stage = source.read(await bitrix.call(source.method, source.params));
  } catch (error) {
    if (!isNotFound(error)) throw error;
    stage = DOCUMENT_GONE;
  }
  await redis.set(cacheKey, stage, 'PX', Math.max(maxAgeMs, 1000));
  return stage;
}
