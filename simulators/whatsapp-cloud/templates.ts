/**
 * Message templates of the simulated WhatsApp Business Accounts: the list endpoint
 * (`GET /{WABA_ID}/message_templates`, cursor paging) and the strict check of a template send
 * against the definition (waba-wire.md §1.1, §1.2, §1.5).
 */
import type { Request, Response } from 'express';
import { randomDigits } from '../shared/random';
import { type GraphError, graphError } from './errors';
import type { CloudState, RefusalTiming } from './state';
import type { TemplateDefinition, WebhookDelivery } from './types';
import { isObj, type Obj } from './validate-util';
import { templateStatusEnvelope } from './webhook-payloads';

const LIST_RE = /^\/(v\d+\.\d+)\/(\d+)\/message_templates\/?$/;

/** The WABA id of a `message_templates` path, or undefined. */
export function templatesPathId(path: string): string | undefined {
  return LIST_RE.exec(path)?.[2];
}

const cursorOf = (index: number) => Buffer.from(`tpl:${index}`).toString('base64url');
function indexOf(cursor: string): number | null {
  const m = /^tpl:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

/** Answers one template list request, as Graph does (default page 25, at most 1000 — the simulator's choice). */
export function handleTemplateList(state: CloudState, wabaId: string, req: Request, res: Response): void {
  const answer = templateListAnswer(state, wabaId, req);
  if ('error' in answer) res.status(answer.error.status).json(answer.error.body);
  else res.json(answer.page);
}

function templateListAnswer(state: CloudState, wabaId: string, req: Request): { error: GraphError } | { page: Obj } {
  const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]?.trim();
  const phones = [...state.phones.values()];
  if (!auth || !phones.some((p) => p.accessToken === auth))
    return {
      error: graphError(190, 401, { message: 'Error validating access token: Session has expired.', subcode: 463 }),
    };
  if (!phones.some((p) => p.accessToken === auth && p.wabaId === wabaId))
    return {
      error: graphError(100, 400, {
        message: `Unsupported get request. Object with ID '${wabaId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        type: 'GraphMethodException',
        subcode: 33,
      }),
    };
  const q = req.query;
  const limit = q.limit === undefined ? 25 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    return { error: graphError(100, 400, { details: 'Param limit must be an integer between 1 and 1000.' }) };
  const start = typeof q.after === 'string' ? indexOf(q.after) : 0;
  if (start === null) return { error: graphError(100, 400, { details: 'Invalid cursor: after.' }) };
  const filter = (t: TemplateDefinition) =>
    (typeof q.status !== 'string' || t.status === q.status.toUpperCase()) &&
    (typeof q.name !== 'string' || t.name === q.name) &&
    (typeof q.language !== 'string' || t.language === q.language);
  const all = (state.templates.get(wabaId) ?? []).filter(filter);
  const page = all.slice(start, start + limit);
  const end = start + page.length;
  const base = `${req.protocol}://${req.get('host') ?? ''}${req.path}`;
  const next = new URLSearchParams({ limit: String(limit), after: cursorOf(end) });
  return {
    page: {
      data: page.map((t) => ({ ...t, parameter_format: t.parameter_format ?? 'POSITIONAL' })),
      paging: {
        cursors: { before: cursorOf(start), after: cursorOf(end) },
        ...(end < all.length ? { next: `${base}?${next}` } : {}),
      },
    },
  };
}

type Component = TemplateDefinition['components'][number];
const variables = (text: string | undefined) => [
  ...new Set([...(text ?? '').matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? '')),
];
const fail = (code: number, details?: string) => graphError(code, 400, details ? { details } : {});

/** Text parameters of a send component against the variables of a definition's text. */
function checkTextParams(params: Obj[], names: string[], named: boolean, where: string): GraphError | undefined {
  if (params.length !== names.length)
    return fail(
      132000,
      `${where}: number of localizable_params (${params.length}) does not match the expected number of params (${names.length})`,
    );
  for (const p of params) {
    if (p.type !== 'text' && p.type !== 'currency' && p.type !== 'date_time')
      return fail(132012, `${where}: parameter type ${String(p.type)} does not match the format`);
    if (named && (typeof p.parameter_name !== 'string' || !names.includes(p.parameter_name)))
      return fail(132000, `${where}: parameter_name ${String(p.parameter_name)} is not a variable of the template`);
  }
  return undefined;
}

function checkHeader(def: Component | undefined, sent: Obj | undefined, named: boolean): GraphError | undefined {
  const params = Array.isArray(sent?.parameters) ? sent.parameters.filter(isObj) : [];
  const format = def ? (def.format ?? 'TEXT').toUpperCase() : 'NONE';
  if (format === 'NONE') return params.length ? fail(132000, 'header: the template has no header') : undefined;
  if (format === 'TEXT') return checkTextParams(params, variables(def?.text), named, 'header');
  const [media] = params;
  if (params.length !== 1 || !media) return fail(132000, `header: a ${format.toLowerCase()} parameter is required`);
  if (String(media.type).toUpperCase() !== format)
    return fail(132012, `header: expected ${format.toLowerCase()}, got ${String(media.type)}`);
  // The file itself: `{"image":{"link":"https://…"}}` or `{"image":{"id":"…"}}` (waba-wire.md §1.2).
  const file = media[format.toLowerCase()];
  const link = isObj(file) && typeof file.link === 'string' && /^https?:\/\//.test(file.link);
  const id = isObj(file) && typeof file.id === 'string' && file.id !== '';
  if (!link && !id) return fail(132012, `header: ${format.toLowerCase()}.link (http/https) or .id is required`);
  return undefined;
}

function checkButtons(defs: Component | undefined, sent: Obj[]): GraphError | undefined {
  const buttons = defs?.buttons ?? [];
  // A URL with a suffix variable and a copy-code button cannot go without their value.
  const needing = buttons.findIndex(
    (b, i) =>
      (['COPY_CODE', 'OTP'].includes(b.type.toUpperCase()) ||
        (b.type.toUpperCase() === 'URL' && variables(b.url).length > 0)) &&
      !sent.some((c) => c.index === String(i)),
  );
  if (needing >= 0) return fail(132000, `button ${needing}: its parameter is missing`);
  for (const component of sent) {
    const index = Number(component.index);
    const def = buttons[index];
    if (typeof component.index !== 'string' || !def)
      return fail(132000, `button: no button at index ${String(component.index)}`);
    const [param] = Array.isArray(component.parameters) ? component.parameters.filter(isObj) : [];
    const kind = def.type.toUpperCase();
    const expected = {
      QUICK_REPLY: ['quick_reply', 'payload'],
      URL: ['url', 'text'],
      COPY_CODE: ['copy_code', 'coupon_code'],
      // AUTHENTICATION's one-time code: sent as a url-type button parameter (waba-wire.md §1.2).
      OTP: ['url', 'text'],
    }[kind];
    if (!expected || component.sub_type !== expected[0])
      return fail(132012, `button ${index}: sub_type ${String(component.sub_type)} does not match its ${kind} button`);
    if (!param || param.type !== expected[1])
      return fail(132012, `button ${index}: a ${expected[1]} parameter is required`);
    if (kind === 'URL' && variables(def.url).length === 0)
      return fail(132000, `button ${index}: the URL takes no suffix`);
  }
  return undefined;
}

/**
 * Checks a template send against the account's definitions; undefined when it may go. An account
 * with no templates registered takes any (the simulator's older behaviour, kept for tests that
 * define none).
 */
export function checkTemplateSend(state: CloudState, wabaId: string, template: Obj): GraphError | undefined {
  const defined = state.templates.get(wabaId);
  if (!defined?.length) return undefined;
  const language = isObj(template.language) ? template.language.code : undefined;
  const def = defined.find((t) => t.name === template.name && t.language === language);
  if (!def || !['APPROVED', 'PAUSED', 'DISABLED'].includes(def.status)) return fail(132001);
  if (def.status === 'PAUSED') return fail(132015);
  if (def.status === 'DISABLED') return fail(132016);
  const sent = Array.isArray(template.components) ? template.components.filter(isObj) : [];
  const of = (type: string) => def.components.find((c) => c.type.toUpperCase() === type);
  const named = def.parameter_format === 'NAMED';
  const sentOf = (type: string) => sent.find((c) => c.type === type);
  const bodyParams = sentOf('body')?.parameters;
  const body = Array.isArray(bodyParams) ? bodyParams.filter(isObj) : [];
  return (
    checkHeader(of('HEADER'), sentOf('header'), named) ??
    checkTextParams(body, variables(of('BODY')?.text), named, 'body') ??
    checkButtons(
      of('BUTTONS'),
      sent.filter((c) => c.type === 'button'),
    )
  );
}

/** The simulator's template and window controls (see CloudApiSimulator): `post` signs and sends a webhook. */
export function templateMethods(state: CloudState, post: (payload: unknown) => Promise<WebhookDelivery>) {
  return {
    addTemplate(wabaId: string, t: Omit<TemplateDefinition, 'id'> & { id?: string }): TemplateDefinition {
      const template: TemplateDefinition = { ...t, id: t.id ?? randomDigits(16) };
      state.templates.set(wabaId, [...(state.templates.get(wabaId) ?? []), template]);
      return template;
    },
    async setTemplateStatus(
      wabaId: string,
      name: string,
      language: string,
      status: string,
      o: { webhook?: boolean; reason?: string } = {},
    ): Promise<WebhookDelivery | undefined> {
      const t = state.templates.get(wabaId)?.find((x) => x.name === name && x.language === language);
      if (!t) throw new Error(`no template ${name} (${language}) in account ${wabaId}`);
      t.status = status;
      if (o.webhook === false || !state.webhookUrl) return undefined;
      return post(templateStatusEnvelope(wabaId, t, o.reason ?? 'NONE', Math.floor(state.now() / 1000)));
    },
    enforceWindow(on: boolean): void {
      state.enforceWindow = on;
    },
    windowRefusals(timing: RefusalTiming, beforeAnswer?: () => Promise<void>): void {
      state.refusalTiming = timing;
      state.beforeAnswer = beforeAnswer ?? (async () => undefined);
    },
    async releaseRefusals(): Promise<Array<WebhookDelivery | undefined>> {
      const held = state.heldRefusals.splice(0);
      const out: Array<WebhookDelivery | undefined> = [];
      for (const r of held) out.push(await state.refuse(r));
      return out;
    },
  };
}
