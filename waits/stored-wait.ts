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

/** A number kept as a string (cjson never rounds it): base 36 in the short form, decimal in the older one. */
const base36 = (value: number) => value.toString(36);

/**
 * The return values a fresh send leaves (`sentReturnValues` without the message id and the empty
 * ones): a wait whose message was linked with exactly these stores none (`m` without `r`).
 */
export const SENT_RETURN: Readonly<Record<string, string>> = Object.freeze({ status: 'sent', delivery_status: 'sent' });

/**
 * The compact form a wait is stored in (one JSON string per wait): short field names, no fields the
 * key carries (portal, id), no defaults, nothing derivable (button ids from the wait id, the
 * workflow id from the token, the return values of a plain send). Numbers are strings so Redis'
 * cjson never rounds them. The fields no script reads (token, line, document, stage, created,
 * deadline, language, button titles) go packed into one string `z` joined by PACK_SEPARATOR, and an open wait
 * stores no `status` (none = open): together they keep a button wait's string within 314 bytes,
 * the allocation a size class below (Redis bytes per open wait, issue 10). The Lua scripts read
 * and write `status` (none = open), `endReason`, `endedAt`, `wa`, `waf`, `pf`, `reasks`, `reaskFor`
 * (and `p`/`phone`, `m`, `r` when linking or moving): those keep their names. Older releases wrote
 * `t`, `l`, … as fields of their own, or long names (`token`, `line`, …): every reader below takes
 * each form, also mixed (a patch of this release on a wait an older one stored).
 */
export const storedWaitSchema = z.object({
  /** Token, line, document, stage, created, deadline and language packed (see PACK_SEPARATOR); marks the short form. */
  z: z.string().optional(),
  /** The event token (its presence marks the short form of releases before `z`). */
  t: z.string().optional(),
  l: z.string().optional(),
  p: z.string().optional(),
  /** The customer's WhatsApp id, when Meta answered with one other than the phone. */
  wa: z.string().optional(),
  /** The wait-index field `wa` is indexed under: written by wait-alias-2.lua, removed by wait-end-10.lua. */
  waf: z.string().optional(),
  /** The phone's index field after the customer changed number: written by wait-move-2.lua, removed by wait-end-10.lua. */
  pf: z.string().optional(),
  /** 'a' for an activity (none: a robot). */
  k: z.literal('a').optional(),
  /** 'd' for a delivery wait (none: a reply wait). */
  u: z.literal('d').optional(),
  /** The workflow id, only when the token does not start with it. */
  wf: z.string().optional(),
  d: z.string().optional(),
  /** The robot's stage at start (none: ''). */
  s: z.string().optional(),
  /** None while open. */
  status: waitStatusSchema.optional(),
  /** Created and deadline ms, base 36. */
  c: z.string().optional(),
  e: z.string().optional(),
  /** The sent message's id. */
  m: z.string().optional(),
  /** Button titles. */
  b: z.array(z.string()).optional(),
  /** Reply options that differ from the defaults (none: all defaults). */
  o: storedOptionsSchema.optional(),
  /** A delivery wait's target. */
  x: z.enum(['delivered', 'read']).optional(),
  reasks: z.string().optional(),
  /** The inbound message the last re-ask answered (so a retry never counts it twice). */
  reaskFor: z.string().optional(),
  /** Return values of the send, when they are not SENT_RETURN. */
  r: z.record(z.string(), z.string()).optional(),
  /** 'en' (none: 'ru'). */
  g: waitLangSchema.optional(),
  endedAt: z.string().optional(),
  endReason: z.string().optional(),
  // The older, long form (still read: waits live up to 30 days, ended ones a week).
  line: z.string().optional(),
  phone: z.string().optional(),
  kind: waitKindSchema.optional(),
  purpose: waitPurposeSchema.optional(),
  token: z.string().optional(),
  doc: z.string().optional(),
  stage: z.string().optional(),
  created: z.string().optional(),
  deadline: z.string().optional(),
  msg: z.string().optional(),
  titles: z.array(z.string()).optional(),
  options: storedOptionsSchema.optional(),
  target: z.enum(['delivered', 'read']).optional(),
  ret: z.record(z.string(), z.string()).optional(),
  lang: waitLangSchema.optional(),
});
/** The stored form as written: everything optional may be left out. */
export type StoredWait = z.input<typeof storedWaitSchema>;
/** The stored form as read (stored-wait-read.ts), defaults filled in. */
export type StoredWaitRead = z.output<typeof storedWaitSchema>;

/** The options of a wait that stores none (each read gets a copy of its own). */
export const defaultStoredOptions: Readonly<z.output<typeof storedOptionsSchema>> = Object.freeze(
  storedOptionsSchema.parse({}),
);

/** Keeps only the options that differ from the defaults (so never an empty array, which cjson turns into an object). */
function compactOptions(options: ReplyOptions, purpose: Wait['purpose']): StoredWait['o'] {
  if (purpose === 'delivery') return undefined;
  const same = (key: keyof ReplyOptions) => JSON.stringify(options[key]) === JSON.stringify(defaultReplyOptions[key]);
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

function isSentReturn(values: Record<string, string> | undefined): boolean {
  return JSON.stringify(values ?? {}) === JSON.stringify(SENT_RETURN);
}

/** The stored fields that linking a sent message sets (see WaitStore.attachMessage and the send-record script). */
export function storedMessagePatch(messageId: string, baseReturn: Record<string, string>): Pick<StoredWait, 'm' | 'r'> {
  const ret = storedReturn(baseReturn);
  // A plain send's values are derived on load; any other set is stored whole (an empty one as {}).
  return isSentReturn(ret) ? { m: messageId } : { m: messageId, r: ret ?? {} };
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
  const link = wait.messageId ? storedMessagePatch(wait.messageId, wait.baseReturn) : {};
  const ret = storedReturn(wait.baseReturn);
  const packed = [
    wait.eventToken,
    wait.lineId,
    wait.documentId,
    wait.stageAtStart,
    base36(wait.createdAt),
    base36(wait.deadline),
    wait.lang === 'en' ? 'en' : '',
    ...titles,
  ];
  // A value holding the separator (none of ours does) keeps the fields one by one.
  const canPack = packed.every((value) => !value.includes(PACK_SEPARATOR));
  return {
    ...(canPack
      ? { z: packed.join(PACK_SEPARATOR) }
      : {
          t: wait.eventToken,
          l: wait.lineId,
          d: wait.documentId,
          s: wait.stageAtStart || undefined,
          c: base36(wait.createdAt),
          e: base36(wait.deadline),
          g: wait.lang === 'en' ? ('en' as const) : undefined,
        }),
    p: wait.phone,
    wa: wait.waId || undefined,
    k: wait.kind === 'activity' ? 'a' : undefined,
    u: wait.purpose === 'delivery' ? 'd' : undefined,
    wf: workflowOf(wait.eventToken) === wait.workflowId ? undefined : wait.workflowId,
    status: wait.status === 'open' ? undefined : wait.status,
    ...link,
    // Values kept before any message is linked (none in practice) are stored as they are.
    ...(wait.messageId || !ret ? {} : { r: ret }),
    b: titles.length && !canPack ? titles : undefined,
    o: compactOptions(wait.options, wait.purpose),
    x: wait.deliveryTarget || undefined,
    reasks: wait.reasks ? String(wait.reasks) : undefined,
  };
}

/**
 * Joins the packed fields: a character neither JSON.stringify nor Redis' cjson escapes (cjson
 * escapes `/` and DEL too), found in no token, line id, document id, stage id or base-36 time.
 */
export const PACK_SEPARATOR = '~';

/** Bitrix24 event tokens start with the workflow id (`<workflow id>|…`). */
export function workflowOf(token: string): string {
  return token.split('|')[0] ?? '';
}
