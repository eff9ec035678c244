import { encodeButtonId } from './button-id';
import {
  defaultStoredOptions,
  PACK_SEPARATOR,
  SENT_RETURN,
  type StoredWaitRead,
  storedWaitSchema,
  workflowOf,
} from './stored-wait';
import { type ReplyOptions, type Wait, waitLangSchema, waitStatusSchema } from './wait-schema';

/**
 * The stored fields a plain string is all that is ever written to: a stored wait holding only
 * these (with string values) reads exactly as the schema would read it. Every other field (an
 * enum, the button titles, options, return values) goes through the schema.
 */
export const PLAIN_FIELDS: ReadonlySet<string> = new Set('z t l p wa waf pf wf d s c e m reasks reaskFor'.split(' '));
const STATUSES: ReadonlySet<string> = new Set(waitStatusSchema.options);
/** Fields the end scripts write (`status` one of the statuses, the others strings). */
export const END_FIELDS: ReadonlySet<string> = new Set(['status', 'endReason', 'endedAt']);

/**
 * The stored wait's fields, checked. Waits are written by toStored (from a typed Wait) and by the
 * Lua scripts, which set only string fields and a status: reading one back re-checks what its
 * writers guarantee. So a wait whose every field is one of those, each a string (the status one
 * of the statuses), is taken as it is: the same fields and values the schema would give, without
 * building its parse (a zod parse of ~45 optional fields per read was ~5 % of a worker's CPU per
 * reply, issue 10). Anything else (titles, options, return values, another form, an unknown or a
 * wrong field) is read by the schema, which refuses what it must.
 */
export function readStoredFields(raw: unknown): StoredWaitRead {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && isPlain(raw)) return raw;
  return storedWaitSchema.parse(raw);
}

function isPlain(raw: object): raw is StoredWaitRead {
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') return false;
    if (PLAIN_FIELDS.has(key)) continue;
    if (!END_FIELDS.has(key) || (key === 'status' && !STATUSES.has(value))) return false;
  }
  return true;
}

/** The packed fields of `z`, by name (as `t`, `l`, … of the unpacked short form), then the button titles. */
function unpack(z: string, id: string) {
  const parts = z.split(PACK_SEPARATOR);
  if (parts.length < 7) throw new Error(`stored wait ${id} has a packed field of ${parts.length} parts, not 7 or more`);
  const [t, l, d, s, c, e, g, ...b] = parts;
  return { t, l, d, s: s || undefined, c, e, g: g ? waitLangSchema.parse(g) : undefined, b };
}

function required<T>(value: T | undefined, field: string, id: string): T {
  if (value === undefined) throw new Error(`stored wait ${id} has no ${field}`);
  return value;
}

/** A number kept as a string: base 36 in the short form, decimal in the long one. */
function storedNumber(short: string | undefined, long: string | undefined, field: string, id: string): number {
  return short !== undefined ? Number.parseInt(short, 36) : Number(required(long, field, id));
}

/** Fresh default options (the caller may change its copy). */
function defaultOptions(): ReplyOptions {
  const d = defaultStoredOptions;
  return {
    mode: d.mode,
    keywords: [],
    regex: d.regex,
    reaskText: d.reaskText,
    reaskMax: d.reaskMax,
    afterReask: d.afterReask,
    stopOnOperator: d.stopOnOperator,
  };
}

/**
 * Stored JSON (as read from Redis) → Wait; the one place a stored wait is parsed (short, long or
 * mixed form). Built field by field, without spreading one object into another (V8 makes each
 * property added after a spread a slow step: the spread-built wait cost tens of µs per read).
 */
export function fromStored(memberId: string, id: string, json: string): Wait {
  const w = readStoredFields(JSON.parse(json));
  // The packed field, when there is one, holds these (an older form has them one by one).
  const p = w.z === undefined ? w : unpack(w.z, id);
  const token = required(p.t ?? w.token, 'token', id);
  const messageId = w.m ?? w.msg ?? '';
  // `m` is only written by this release: without `r` it means a plain send's values.
  const baseReturn: Record<string, string> = Object.assign({}, w.r ?? w.ret ?? (w.m ? SENT_RETURN : {}));
  if (messageId) baseReturn.message_id = messageId;
  const shortForm = p.t !== undefined;
  const titles = p.b ?? w.titles ?? [];
  const buttons = titles.map((title, i) => ({ id: encodeButtonId(id, i + 1), title }));
  return {
    id,
    memberId,
    lineId: required(p.l ?? w.line, 'line', id),
    phone: required(w.p ?? w.phone, 'phone', id),
    waId: w.wa ?? '',
    kind: shortForm ? (w.k === 'a' ? 'activity' : 'robot') : required(w.kind, 'kind', id),
    purpose: shortForm ? (w.u === 'd' ? 'delivery' : 'reply') : required(w.purpose, 'purpose', id),
    eventToken: token,
    workflowId: w.wf ?? workflowOf(token),
    documentId: required(p.d ?? w.doc, 'doc', id),
    stageAtStart: p.s ?? w.stage ?? '',
    status: w.status ?? 'open',
    createdAt: storedNumber(p.c, w.created, 'created', id),
    deadline: storedNumber(p.e, w.deadline, 'deadline', id),
    messageId,
    buttons,
    options: w.o ?? w.options ?? defaultOptions(),
    deliveryTarget: w.x ?? w.target ?? '',
    reasks: Number(w.reasks ?? 0),
    baseReturn,
    lang: shortForm ? (p.g ?? 'ru') : required(w.lang, 'lang', id),
    endedAt: w.endedAt ? Number(w.endedAt) : undefined,
    endReason: w.endReason,
  };
}
