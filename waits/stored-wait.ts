import { z } from 'zod';
import { encodeButtonId } from './button-id';
import { replyOptionsSchema, type Wait } from './wait-schema';

/**
 * The compact form a wait is stored in (one JSON string per wait, to stay near 1 KB):
 * no fields the key already carries (portal, id), no defaults, button ids derived from the wait id.
 * Numbers are strings so Redis' cjson never rounds them.
 */
export const storedWaitSchema = z.object({
  line: z.string(),
  phone: z.string(),
  /** The customer's WhatsApp id, when Meta answered with one other than `phone`. */
  wa: z.string().optional(),
  kind: z.enum(['robot', 'activity']),
  purpose: z.enum(['reply', 'delivery']),
  token: z.string(),
  doc: z.string(),
  stage: z.string().optional(),
  status: z.enum(['open', 'answered', 'timeout', 'cancelled', 'delivered', 'read', 'failed']),
  created: z.string(),
  deadline: z.string(),
  msg: z.string().optional(),
  titles: z.array(z.string()).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  target: z.string().optional(),
  reasks: z.string().optional(),
  /** The inbound message the last re-ask answered (so a retry never counts it twice). */
  reaskFor: z.string().optional(),
  ret: z.record(z.string(), z.string()).optional(),
  lang: z.enum(['ru', 'en']),
  endedAt: z.string().optional(),
  endReason: z.string().optional(),
});
export type StoredWait = z.infer<typeof storedWaitSchema>;

const optionDefaults: Record<string, unknown> = replyOptionsSchema.parse({ mode: 'button' });


/** Keeps only what differs from the defaults (and never empty arrays, which cjson turns into objects). */
function compactOptions(options: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept = Object.entries(options).filter(([k, v]) => (k === 'mode' ? true : JSON.stringify(v) !== JSON.stringify(optionDefaults[k])) && !(Array.isArray(v) && v.length === 0));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

function nonEmpty(values: Record<string, string>): Record<string, string> | undefined {
  const kept = Object.entries(values).filter(([k, v]) => v !== '' && k !== 'message_id');
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** Wait → stored JSON. */
export function toStored(wait: Wait): StoredWait {
  const titles = (JSON.parse(wait.buttons) as Array<{ title: string }>).map((b) => b.title);
  return {
    line: wait.lineId, phone: wait.phone, wa: wait.waId || undefined, kind: wait.kind, purpose: wait.purpose, token: wait.eventToken, doc: wait.documentId,
    stage: wait.stageAtStart || undefined, status: wait.status, created: String(wait.createdAt), deadline: String(wait.deadline),
    msg: wait.messageId || undefined, titles: titles.length ? titles : undefined,
    options: compactOptions(JSON.parse(wait.options) as Record<string, unknown>), target: wait.deliveryTarget || undefined,
    reasks: wait.reasks ? String(wait.reasks) : undefined, ret: nonEmpty(JSON.parse(wait.baseReturn) as Record<string, string>), lang: wait.lang,
  };
}

/** Stored JSON → Wait. */
export function fromStored(memberId: string, id: string, stored: StoredWait): Wait {
  const base = { ...(stored.ret ?? {}), ...(stored.msg ? { message_id: stored.msg } : {}) };
  return {
    id, memberId, lineId: stored.line, phone: stored.phone, waId: stored.wa ?? '', kind: stored.kind, purpose: stored.purpose,
    eventToken: stored.token, workflowId: stored.token.split('|')[0] ?? '', documentId: stored.doc, stageAtStart: stored.stage ?? '',
    status: stored.status, createdAt: Number(stored.created), deadline: Number(stored.deadline), messageId: stored.msg ?? '',
    buttons: JSON.stringify((stored.titles ?? []).map((title, i) => ({ id: encodeButtonId(id, i + 1), title }))),
    options: JSON.stringify(stored.options ?? {}), deliveryTarget: stored.target ?? '', reasks: Number(stored.reasks ?? 0),
    baseReturn: JSON.stringify(base), lang: stored.lang, endedAt: stored.endedAt ? Number(stored.endedAt) : undefined, endReason: stored.endReason,
  };
}
