import { z } from 'zod';

/** Every state a wait can be in; the one list of them (stored form, store, service). */
export const waitStatusSchema = z.enum(['open', 'answered', 'timeout', 'cancelled', 'delivered', 'read', 'failed']);
/** A wait's state. */
export type WaitStatus = z.infer<typeof waitStatusSchema>;
/** How a wait ended: any status but `open`. */
export type WaitEnd = Exclude<WaitStatus, 'open'>;

/** Robot (CRM automation rule) or activity (business process). */
export const waitKindSchema = z.enum(['robot', 'activity']);
/** A reply wait takes the customer's answer; a delivery wait the message's delivered/read status. */
export const waitPurposeSchema = z.enum(['reply', 'delivery']);
/** Language of the portal, for the outcomes' log messages. */
export const waitLangSchema = z.enum(['ru', 'en']);

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
/** Reply options with every default filled in. */
export type ReplyOptions = z.infer<typeof replyOptionsSchema>;

/** The options a wait has when none were given (delivery waits: never matched against a reply). */
export const defaultReplyOptions: Readonly<ReplyOptions> = Object.freeze(replyOptionsSchema.parse({ mode: 'button' }));

/** One button of a reply wait; its id is `encodeButtonId(wait id, n)`. */
export interface WaitButton {
  id: string;
  title: string;
}

/** A wait in memory, fully typed; `stored-wait.ts` maps it to and from its compact stored form. */
export interface Wait {
  id: string;
  memberId: string;
  lineId: string;
  phone: string;
  /** The customer's WhatsApp id when it differs from `phone` ('' otherwise). */
  waId: string;
  kind: z.infer<typeof waitKindSchema>;
  purpose: z.infer<typeof waitPurposeSchema>;
  eventToken: string;
  workflowId: string;
  documentId: string;
  /** The robot's stage when the wait opened ('' for activities: they ignore the stage). */
  stageAtStart: string;
  status: WaitStatus;
  createdAt: number;
  deadline: number;
  /** The message the wait belongs to ('' until it is sent). */
  messageId: string;
  buttons: WaitButton[];
  options: ReplyOptions;
  /** A delivery wait's target status ('' for reply waits). */
  deliveryTarget: 'delivered' | 'read' | '';
  reasks: number;
  /** Return values of the send (message_id …) merged into the outcome's. */
  baseReturn: Record<string, string>;
  lang: z.infer<typeof waitLangSchema>;
  endedAt?: number;
  endReason?: string;
}
