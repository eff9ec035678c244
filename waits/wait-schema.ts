import { z } from 'zod';

/** How a reply is matched to a wait (issue: "what counts as the answer"). */
export const replyOptionsSchema = z.object({
  mode: z.enum(['button', 'any', 'keywords', 'regex']),
  /** keyword (lower-cased) → answer value */
  keywords: z.array(z.object({ keyword: z.string(), answer: z.string() })).default([]),
  regex: z.string().default(''),
  reaskText: z.string().default(''),
  reaskMax: z.number().int().min(0).default(1),
  /** After the re-asks: ignore off-script text, or end the wait with an empty answer. */
  afterReask: z.enum(['ignore', 'end']).default('ignore'),
  stopOnOperator: z.boolean().default(false),
});
export type ReplyOptions = z.infer<typeof replyOptionsSchema>;

/** A wait as stored in its Redis hash (all fields strings on the wire). */
export const waitSchema = z.object({
  id: z.string(),
  memberId: z.string(),
  lineId: z.string(),
  phone: z.string(),
  /** The customer's WhatsApp id when it differs from `phone` ('' otherwise). */
  waId: z.string().default(''),
  kind: z.enum(['robot', 'activity']),
  purpose: z.enum(['reply', 'delivery']),
  eventToken: z.string(),
  workflowId: z.string(),
  documentId: z.string(),
  stageAtStart: z.string().default(''),
  status: z.enum(['open', 'answered', 'timeout', 'cancelled', 'delivered', 'read', 'failed']),
  createdAt: z.coerce.number(),
  deadline: z.coerce.number(),
  messageId: z.string().default(''),
  buttons: z.string().default('[]'),
  options: z.string().default('{}'),
  deliveryTarget: z.string().default(''),
  reasks: z.coerce.number().default(0),
  /** Return values of the send (message_id …) merged into the outcome's. */
  baseReturn: z.string().default('{}'),
  lang: z.enum(['ru', 'en']).default('en'),
  outcome: z.string().optional(),
  endedAt: z.coerce.number().optional(),
  endReason: z.string().optional(),
});
export type Wait = z.infer<typeof waitSchema>;

export const buttonListSchema = z.array(z.object({ id: z.string(), title: z.string() }));
