import { ActionError } from '../lib/errors/app-error';
import { say, type Var } from '../lib/i18n/catalogue';
import type { MessageKey } from '../lib/i18n/en';
import type { MessageTemplate } from '../providers/message-template';
import type { OutboundContent } from '../providers/provider';
import { mediaKindOf } from './file-list';
import { invalidNamed } from './property-issues';

type TemplateContent = Extract<OutboundContent, { type: 'template' }>;
type Component = TemplateContent['components'][number];
type Parameter = Component['parameters'][number];

/** What a robot gives for a template: the values by kind, as its properties hold them. */
export interface TemplateRequest {
  name: string;
  language: string;
  /** Positional values in order, or `name=value` for a NAMED template. */
  body: string[];
  header: string[];
  /** A header image/video/document: an http(s) URL or an uploaded media id. */
  headerMedia?: string;
  /** The property that gives `headerMedia`, as problems name it (default `header_media`). */
  headerMediaProperty?: string;
  /** Quick-reply payloads in button order. */
  payloads: string[];
  /** URL-button suffixes in the order of the URL buttons that take one. */
  urlSuffixes: string[];
  couponCode?: string;
}

/** Quick-reply payloads a wait puts on the template's buttons (the n-th quick reply names the wait's n-th answer). */
export type WaitPayloads = (n: number) => string;

const mismatch = (part: string, expected: number, given: number) =>
  new ActionError('template_params_mismatch', '', {
    says: say('window.detail.count', { part, expected: String(expected), given: String(given) }),
  });
const wrongParams = (key: MessageKey, vars?: Record<string, Var>) =>
  new ActionError('template_params_mismatch', '', { says: say(key, vars) });

/** Media header formats a send can fill, by the definition's word. */
const headerMediaKinds: Readonly<Record<string, 'image' | 'video' | 'document'>> = {
  IMAGE: 'image',
  VIDEO: 'video',
  DOCUMENT: 'document',
};

/** A header media value: a URL (kind by extension unless the template says) or an uploaded media id. */
function mediaParameter(value: string, format?: string): Parameter {
  const kind = (format && headerMediaKinds[format.toUpperCase()]) || '';
  if (/^\d{5,}$/.test(value)) return { type: kind || 'document', id: value };
  if (!/^https?:\/\/[^/\s]+/i.test(value) || !URL.canParse(value))
    throw invalidNamed('header_media', 'window.prop.media_value', { value });
  const byExtension = mediaKindOf(value);
  return { type: kind || (byExtension === 'image' || byExtension === 'video' ? byExtension : 'document'), link: value };
}

/** `name=value` values of a NAMED template, in the template's order; every name must be given once. */
function namedValues(part: string, names: string[], given: string[]): Parameter[] {
  const byName = new Map<string, string>();
  for (const item of given) {
    const at = item.indexOf('=');
    if (at <= 0) throw wrongParams('window.detail.not_name_value', { part, item });
    byName.set(item.slice(0, at).trim(), item.slice(at + 1).trim());
  }
  const missing = names.filter((n) => !byName.has(n));
  const unknown = [...byName.keys()].filter((n) => !names.includes(n));
  if (missing.length || unknown.length)
    throw wrongParams('window.detail.names', {
      part,
      expected: names.join(', ') || '—',
      missing: missing.join(', ') || '—',
      unknown: unknown.join(', ') || '—',
    });
  return names.map((name) => ({ type: 'text', name, text: byName.get(name) ?? '' }));
}

function textParameters(part: string, t: MessageTemplate, names: string[], given: string[]): Parameter[] {
  if (t.parameterFormat === 'NAMED' && names.length) return namedValues(part, names, given);
  if (given.length !== names.length) throw mismatch(part, names.length, given.length);
  return given.map((text) => ({ type: 'text', text }));
}

/** Before sending: the template exists, is approved, and gets exactly the values it takes. */
export function checkTemplate(
  t: MessageTemplate | null,
  request: Pick<TemplateRequest, 'name' | 'language'>,
): MessageTemplate {
  const template = `${request.name} (${request.language})`;
  if (!t)
    throw new ActionError('template_not_found', '', { says: say('window.detail.template_missing', { template }) });
  const status = say('window.detail.template_status', { template, status: t.status });
  if (t.status === 'PAUSED' || t.status === 'DISABLED') throw new ActionError('template_paused', '', { says: status });
  if (t.status !== 'APPROVED') throw new ActionError('template_not_found', '', { says: status });
  return t;
}

const KIND_WORDS: Record<string, MessageKey> = {
  image: 'window.kind.image',
  video: 'window.kind.video',
  document: 'window.kind.document',
  audio: 'window.kind.audio',
  sticker: 'window.kind.sticker',
  location: 'window.kind.location',
};

/** A media kind (image, document…) in the reader's words; an unknown one as it is. */
export function mediaKindWords(kind: string) {
  const key = KIND_WORDS[kind];
  return key ? say(key) : kind;
}

/**
 * The send components for a known template, checked against it: header, body, then one component
 * per button that takes a value (quick-reply payloads, URL suffixes, the coupon code).
 */
export function componentsFor(t: MessageTemplate, request: TemplateRequest, waitPayload?: WaitPayloads): Component[] {
  const components: Component[] = [];
  if (t.headerFormat === 'TEXT' || t.headerFormat === 'NONE') {
    const property = request.headerMediaProperty ?? 'header_media';
    if (request.headerMedia) throw wrongParams('window.detail.no_media_header', { property });
    const header = textParameters('header', t, t.headerParams, request.header);
    if (header.length) components.push({ type: 'header', parameters: header });
  } else if (headerMediaKinds[t.headerFormat]) {
    if (!request.headerMedia)
      throw wrongParams('window.detail.media_required', {
        property: request.headerMediaProperty ?? 'header_media',
        format: mediaKindWords(t.headerFormat.toLowerCase()),
      });
    components.push({ type: 'header', parameters: [mediaParameter(request.headerMedia, t.headerFormat)] });
  } else {
    // LOCATION, GIF (Marketing Messages API only), anything newer: refused here, not by a send that fails later.
    throw wrongParams('window.detail.header_unsupported', { format: t.headerFormat.toLowerCase() });
  }
  const body = textParameters('body', t, t.bodyParams, request.body);
  if (body.length) components.push({ type: 'body', parameters: body });
  let quickReply = 0;
  let url = 0;
  const suffixes = t.buttons.filter((b) => b.kind === 'URL' && b.param).length;
  if (request.urlSuffixes.length !== suffixes) throw mismatch('url_params', suffixes, request.urlSuffixes.length);
  t.buttons.forEach((b, index) => {
    if (b.kind === 'QUICK_REPLY') {
      quickReply += 1;
      const payload = waitPayload ? waitPayload(quickReply) : request.payloads[quickReply - 1];
      if (payload)
        components.push({
          type: 'button',
          subType: 'quick_reply',
          index,
          parameters: [{ type: 'payload', text: payload }],
        });
    } else if (b.kind === 'URL' && b.param) {
      const text = request.urlSuffixes[url++] ?? '';
      components.push({ type: 'button', subType: 'url', index, parameters: [{ type: 'text', text }] });
    } else if (b.kind === 'OTP') {
      // AUTHENTICATION: the code of the body goes in the button too, as a url-type parameter (waba-wire.md §1.2).
      const code = body.find((p) => p.type === 'text');
      if (!code || !('text' in code)) throw mismatch('body', 1, 0);
      components.push({ type: 'button', subType: 'url', index, parameters: [{ type: 'text', text: code.text }] });
    } else if (b.kind === 'COPY_CODE') {
      if (!request.couponCode) throw mismatch('coupon_code', 1, 0);
      components.push({
        type: 'button',
        subType: 'copy_code',
        index,
        parameters: [{ type: 'coupon_code', text: request.couponCode }],
      });
    }
  });
  if (!waitPayload && request.payloads.length > quickReply)
    throw mismatch('button_params', quickReply, request.payloads.length);
  return components;
}

/**
 * Components when the template's definition is not known (the line has no account id): positional
 * values as given; quick-reply payloads on buttons 0…, then URL suffixes and the coupon after them.
 */
export function componentsBlind(request: TemplateRequest): Component[] {
  if (request.headerMedia && request.header.length)
    throw invalidNamed(request.headerMediaProperty ?? 'header_media', 'prop.header_text_or_media');
  const text = (values: string[]) => values.map((value): Parameter => ({ type: 'text', text: value }));
  const header = request.headerMedia ? [mediaParameter(request.headerMedia)] : text(request.header);
  const buttons: Component[] = request.payloads.map((payload, index) => ({
    type: 'button',
    subType: 'quick_reply',
    index,
    parameters: [{ type: 'payload', text: payload }],
  }));
  for (const suffix of request.urlSuffixes)
    buttons.push({
      type: 'button',
      subType: 'url',
      index: buttons.length,
      parameters: [{ type: 'text', text: suffix }],
    });
  if (request.couponCode)
    buttons.push({
      type: 'button',
      subType: 'copy_code',
      index: buttons.length,
      parameters: [{ type: 'coupon_code', text: request.couponCode }],
    });
  return [
    ...(header.length ? [{ type: 'header' as const, parameters: header }] : []),
    ...(request.body.length ? [{ type: 'body' as const, parameters: text(request.body) }] : []),
    ...buttons,
  ];
}

/** The quick-reply button titles of a template, in order (a template wait's answers). */
export function quickReplyTitles(t: MessageTemplate): string[] {
  return t.buttons.filter((b) => b.kind === 'QUICK_REPLY').map((b) => b.text);
}
