import { z } from 'zod';
import { encodeButtonId } from './button-id';
import {
  defaultReplyOptions,
  type ReplyOptions,
  replyOptionsSchema,
  type Wait,
  waitKindSchema,
  waitLangSchema,
  waitPurposeSchema,
  waitStatusSchema,
} from './wait-schema';

/** Stored options: only what differs from the defaults, so a missing `mode` is the default one. */
const storedOptionsSchema = replyOptionsSchema.extend({
  mode: replyOptionsSchema.shape.mode.default(defaultReplyOptions.mode),
});

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
  /** The wait-index field `wa` is indexed under: written by wait-alias-2.lua, removed by wait-end-6.lua. */
  waf: z.string().optional(),
  /** The phone's index field after the customer changed number: written by wait-move-2.lua, removed by wait-end-6.lua. */
  pf: z.string().optional(),
  kind: waitKindSchema,
  purpose: waitPurposeSchema,
  token: z.string(),
  /** The workflow id (absent in waits stored before it was). */
  wf: z.string().optional(),
  doc: z.string(),
  stage: z.string().optional(),
  status: waitStatusSchema,
  created: z.string(),
  deadline: z.string(),
  msg: z.string().optional(),
  titles: z.array(z.string()).optional(),
  options: storedOptionsSchema.prefault({}),
  target: z.enum(['delivered', 'read']).optional(),
  reasks: z.string().optional(),
  /** The inbound message the last re-ask answered (so a retry never counts it twice). */
  reaskFor: z.string().optional(),
  ret: z.record(z.string(), z.string()).optional(),
  lang: waitLangSchema,
  endedAt: z.string().optional(),
  endReason: z.string().optional(),
});
/** The stored form as written: options and everything optional may be left out. */
export type StoredWait = z.input<typeof storedWaitSchema>;

/** Keeps only the options that differ from the defaults (so never an empty array, which cjson turns into an object). */
function compactOptions(options: ReplyOptions, purpose: Wait['purpose']): StoredWait['options'] {
  // A delivery wait never matches replies; a reply wait keeps its mode, which processes of the
  // previous release require (they read waits this one writes during a rolling deploy).
  if (purpose === 'delivery') return undefined;
  const same = (key: keyof ReplyOptions) =>
    key !== 'mode' && JSON.stringify(options[key]) === JSON.stringify(defaultReplyOptions[key]);
  const kept = replyOptionsSchema.keyof().options.filter((key) => !same(key));
  // cast: each kept value sits under its own ReplyOptions key, so the object is a partial ReplyOptions.
  return kept.length
    ? (Object.fromEntries(kept.map((key) => [key, options[key]])) as Partial<ReplyOptions>)
    : undefined;
}

/**
 * Return values worth storing: the message id has its own field and empty values are left out
 * (the outcomes fill every key they report anyway).
 */
export function storedReturn(values: Record<string, string>): Record<string, string> | undefined {
  const kept = Object.entries(values).filter(([k, v]) => v !== '' && k !== 'message_id');
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** The stored fields that linking a sent message sets (see WaitStore.attachMessage). */
export function storedMessagePatch(
  messageId: string,
  baseReturn: Record<string, string>,
): Pick<StoredWait, 'msg' | 'ret'> {
  const ret = storedReturn(baseReturn);
  // Never an empty `ret` in the patch: it would replace the stored one.
  return ret ? { msg: messageId, ret } : { msg: messageId };
}

/** Wait → stored JSON. Button ids are not stored: they must be the ones the codec derives from the wait id. */
export function toStored(wait: Wait): StoredWait {
  const titles = wait.buttons.map((button, i) => {
    // Loading derives the ids again: any other id would come back changed.
    if (button.id !== encodeButtonId(wait.id, i + 1)) {
      throw new Error(`wait ${wait.id}: button ${i + 1} has id ${button.id}, not the one its wait id derives`);
    }
    return button.title;
  });
  return {
    line: wait.lineId,
    phone: wait.phone,
    wa: wait.waId || undefined,
    kind: wait.kind,
    purpose: wait.purpose,
    token: wait.eventToken,
    wf: wait.workflowId,
    doc: wait.documentId,
    stage: wait.stageAtStart || undefined,
    status: wait.status,
    created: String(wait.createdAt),
    deadline: String(wait.deadline),
    msg: wait.messageId || undefined,
    titles: titles.length ? titles : undefined,
    options: compactOptions(wait.options, wait.purpose),
    target: wait.deliveryTarget || undefined,
    reasks: wait.reasks ? String(wait.reasks) : undefined,
    ret: storedReturn(wait.baseReturn),
    lang: wait.lang,
  };
}

/** Stored JSON (as read from Redis) → Wait; the one place a stored wait is parsed. */
export function fromStored(memberId: string, id: string, json: string): Wait {
  const stored = storedWaitSchema.parse(JSON.parse(json));
  const baseReturn = { ...(stored.ret ?? {}), ...(stored.msg ? { message_id: stored.msg } : {}) };
  return {
    id,
    memberId,
    lineId: stored.line,
    phone: stored.phone,
    waId: stored.wa ?? '',
    kind: stored.kind,
    purpose: stored.purpose,
    eventToken: stored.token,
    // Waits stored before the workflow id was have none: their token starts with it (`<workflow id>|…`).
    workflowId: stored.wf ?? stored.token.split('|')[0] ?? '',
    documentId: stored.doc,
    stageAtStart: stored.stage ?? '',
    status: stored.status,
    createdAt: Number(stored.created),
    deadline: Number(stored.deadline),
    messageId: stored.msg ?? '',
    buttons: (stored.titles ?? []).map((title, i) => ({ id: encodeButtonId(id, i + 1), title })),
    options: stored.options,
    deliveryTarget: stored.target ?? '',
    reasks: Number(stored.reasks ?? 0),
    baseReturn,
    lang: stored.lang,
    endedAt: stored.endedAt ? Number(stored.endedAt) : undefined,
    endReason: stored.endReason,
  };
}
