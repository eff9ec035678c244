/** GupShup templates in the simulator: how the list shows them (§5.7) and strict checks of a template send (§5.2). */

import type { GupshupTemplate } from './types';
import { GupshupRefusal, jsonField, validatePostbacks } from './validate';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const variables = (text: string | undefined) => new Set([...(text ?? '').matchAll(/\{\{\s*(\d+)\s*\}\}/g)]).size;

/**
 * How many positional `params` a send of the template takes: header text, body, then one per button
 * that takes a value, in button order — a URL with a suffix, a copy-code (the coupon) or an OTP
 * button. [?] GupShup documents "body, then card/button params" (waba-wire.md §5.2) and a catalog
 * template's product id as the last param; a coupon as a button param follows that rule, unverified
 * against a live app. providers/gupshup/gupshup-templates.ts counts the same way.
 */
export function templateParamCount(t: GupshupTemplate): number {
  const takesValue = (b: { type: string; url?: string }) =>
    (b.type === 'URL' && variables(b.url) > 0) || b.type === 'COPY_CODE' || b.type === 'OTP';
  const buttons = (t.buttons ?? []).filter(takesValue).length;
  return ((t.templateType ?? 'TEXT') === 'TEXT' ? variables(t.header) : 0) + variables(t.data) + buttons;
}

/** A template as `GET /sm/api/v1/template/list/{app}` lists it: `containerMeta` is a JSON string (glific reads it so). */
export function listedTemplate(t: GupshupTemplate): Json {
  return {
    id: t.id,
    elementName: t.elementName,
    languageCode: t.languageCode,
    category: t.category,
    status: t.status,
    templateType: t.templateType ?? 'TEXT',
    data: t.data,
    buttonSupported: (t.buttons ?? []).map((b) => b.type.slice(0, 3)).join(','),
    containerMeta: JSON.stringify({
      data: t.data,
      ...(t.header ? { header: t.header } : {}),
      ...(t.footer ? { footer: t.footer } : {}),
      ...(t.buttons?.length ? { buttons: t.buttons } : {}),
    }),
    createdOn: 1764560000000,
    modifiedOn: 1764560000000,
  };
}

/** The header media of a template send (`message`): required for a media template, of its kind, by link or id. */
function headerMedia(form: Record<string, string>, t: GupshupTemplate): Json | undefined {
  const kind = (t.templateType ?? 'TEXT').toLowerCase();
  if (kind === 'text') {
    if (form.message === undefined) return undefined;
    const m = jsonField(form, 'message');
    // A text template may carry the rendered text as `message` (glific does); nothing else.
    if (!isObject(m) || m.type !== 'text') throw new GupshupRefusal('message: this template has no media header');
    return undefined;
  }
  if (form.message === undefined) throw new GupshupRefusal(`message: the template has an ${kind} header`);
  const m = jsonField(form, 'message');
  if (!isObject(m) || m.type !== kind) throw new GupshupRefusal(`message: the template's header is of type ${kind}`);
  const media = m[kind];
  const link = isObject(media) && typeof media.link === 'string' && /^https?:\/\//.test(media.link);
  const id = isObject(media) && typeof media.id === 'string' && media.id !== '';
  if (!link && !id) throw new GupshupRefusal(`message: ${kind}.link (http/https) or ${kind}.id is required`);
  return m;
}

/** Checks a template send against the app's template; what was sent, or a refusal as GupShup gives it. */
export function checkTemplateSend(
  form: Record<string, string>,
  known: GupshupTemplate,
): { template: Json; postbackTexts?: Array<{ index: number; text: string }>; headerMedia?: Json } {
  if (known.status.toUpperCase() !== 'APPROVED') throw new GupshupRefusal(`Template is ${known.status.toLowerCase()}`);
  const template = jsonField(form, 'template');
  if (!isObject(template)) throw new GupshupRefusal('template must be a JSON object');
  const { params } = template;
  if (!Array.isArray(params) || !params.every((p) => typeof p === 'string'))
    throw new GupshupRefusal('template.params must be an array of strings');
  const expected = templateParamCount(known);
  if (params.length !== expected)
    throw new GupshupRefusal(`Template params mismatch: expected ${expected}, got ${params.length}`);
  const quickReplies = (known.buttons ?? []).flatMap((b, i) => (b.type === 'QUICK_REPLY' ? [i] : []));
  const postbackTexts =
    form.postbackTexts === undefined ? undefined : validatePostbacks(jsonField(form, 'postbackTexts'), quickReplies);
  return { template, postbackTexts, headerMedia: headerMedia(form, known) };
}
