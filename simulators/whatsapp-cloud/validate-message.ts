/** Validation of a `/messages` request body (send or mark-read). */
import { validateInteractive } from './validate-interactive';
import { InvalidParam, isObj, needArr, needObj, needStr, type Obj, optStr, pathOf } from './validate-util';

/** A valid request: a message send or a mark-read. */
export type ValidRequest =
  /** `byUserId`: sent to `recipient` (a BSUID), not to a phone number. */
  { kind: 'send'; to: string; waId: string; type: string; byUserId?: boolean } | { kind: 'read'; messageId: string };

const TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'reaction',
  'interactive',
  'template',
];
const MEDIA = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const CAPTIONED = new Set(['image', 'video', 'document']);

function media(type: string, v: unknown): void {
  const o = needObj(v, [type]);
  const hasId = typeof o.id === 'string' && o.id !== '';
  const link = o.link;
  if (!hasId && link === undefined) throw new InvalidParam(`Param ${type} must contain either id or link.`);
  if (!hasId && (typeof link !== 'string' || !/^https?:\/\/[^\s/]+/i.test(link))) {
    throw new InvalidParam(`Param ${pathOf([type, 'link'])} must be a valid http(s) URL.`);
  }
  if (o.caption !== undefined) {
    if (!CAPTIONED.has(type))
      throw new InvalidParam(`Param ${pathOf([type, 'caption'])} is not supported for ${type}.`);
    optStr(o.caption, [type, 'caption'], 1024);
  }
  if (o.filename !== undefined) optStr(o.filename, [type, 'filename'], 240);
}

function coordinate(v: unknown, name: string, limit: number): void {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n))
    throw new InvalidParam(`The parameter ${pathOf(['location', name])} is required and must be a number.`);
  if (Math.abs(n) > limit)
    throw new InvalidParam(`Param ${pathOf(['location', name])} must be between -${limit} and ${limit}.`);
}

function contacts(v: unknown): void {
  needArr(v, ['contacts'], 1, 257).forEach((c, n) => {
    const o = needObj(c, ['contacts', n]);
    needStr(needObj(o.name, ['contacts', n, 'name']).formatted_name, ['contacts', n, 'name', 'formatted_name']);
  });
}

function template(v: unknown): void {
  const o = needObj(v, ['template']);
  needStr(o.name, ['template', 'name'], 512);
  needStr(needObj(o.language, ['template', 'language']).code, ['template', 'language', 'code']);
  if (o.components === undefined) return;
  const components = needArr(o.components, ['template', 'components'], 0, 100);
  for (const [i, raw] of components.entries()) {
    const component = needObj(raw, ['template', 'components', i]);
    const type = needStr(component.type, ['template', 'components', i, 'type']);
    if (!['header', 'body', 'button'].includes(type))
      throw new InvalidParam(
        `Param ${pathOf(['template', 'components', i, 'type'])} must be one of {HEADER, BODY, BUTTON}.`,
      );
    const params = needArr(component.parameters ?? [], ['template', 'components', i, 'parameters'], 0, 100);
    for (const [j, rawParam] of params.entries()) {
      const path = ['template', 'components', i, 'parameters', j];
      const param = needObj(rawParam, path);
      const kind = needStr(param.type, [...path, 'type']);
      // A media parameter is a header's: its object under its own type name, with a link (or an id).
      if (kind === 'image' || kind === 'video' || kind === 'document') {
        if (type !== 'header') throw new InvalidParam(`Param ${pathOf([...path, 'type'])} is only valid in a header.`);
        const media = needObj(param[kind], [...path, kind]);
        if (media.id === undefined) needStr(media.link, [...path, kind, 'link'], 2048);
      }
    }
  }
}

function validateType(type: string, body: Obj): void {
  const v = body[type];
  if (type === 'text') {
    const o = needObj(v, ['text']);
    needStr(o.body, ['text', 'body'], 4096);
    if (o.preview_url !== undefined && typeof o.preview_url !== 'boolean')
      throw new InvalidParam(`Param ${pathOf(['text', 'preview_url'])} must be a boolean.`);
  } else if (MEDIA.has(type)) media(type, v);
  else if (type === 'location') {
    const o = needObj(v, ['location']);
    coordinate(o.latitude, 'latitude', 90);
    coordinate(o.longitude, 'longitude', 180);
    optStr(o.name, ['location', 'name'], 1000);
    optStr(o.address, ['location', 'address'], 1000);
  } else if (type === 'contacts') contacts(v);
  else if (type === 'reaction') {
    const o = needObj(v, ['reaction']);
    needStr(o.message_id, ['reaction', 'message_id']);
    optStr(o.emoji, ['reaction', 'emoji']);
  } else if (type === 'interactive') validateInteractive(v);
  else if (type === 'template') template(v);
}

/** Validates a parsed body; throws InvalidParam with Graph-style details. */
export function validateRequest(body: unknown): ValidRequest {
  if (!isObj(body)) throw new InvalidParam('The parameter messaging_product is required.');
  if (body.messaging_product === undefined) throw new InvalidParam('The parameter messaging_product is required.');
  if (body.messaging_product !== 'whatsapp')
    throw new InvalidParam(
      `Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`,
    );
  if (body.status !== undefined) {
    if (body.status !== 'read')
      throw new InvalidParam(`Param status must be one of {READ} - got "${String(body.status)}".`);
    return { kind: 'read', messageId: needStr(body.message_id, ['message_id']) };
  }
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual' && body.recipient_type !== 'group') {
    throw new InvalidParam(
      `Param recipient_type must be one of {INDIVIDUAL, GROUP} - got "${String(body.recipient_type)}".`,
    );
  }
  // whatsapp-wire.md §0.1: `recipient` (a BSUID) instead of `to`; the phone wins when both are given.
  const byUserId = body.to === undefined && body.recipient !== undefined;
  const to = byUserId ? needStr(body.recipient, ['recipient']) : needStr(body.to, ['to']);
  if (byUserId && !/^[A-Z]{2}(\.ENT)?\.[A-Za-z0-9]{1,128}$/.test(to))
    throw new InvalidParam('Param recipient must be a business-scoped user id.');
  if (!byUserId && !/^\+?[0-9]{5,20}$/.test(to))
    throw new InvalidParam('Param to must be a valid phone number (digits with an optional leading +).');
  const type = body.type === undefined ? 'text' : body.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    throw new InvalidParam(`Param type must be one of {${TYPES.join(', ').toUpperCase()}} - got "${String(type)}".`);
  }
  validateType(type, body);
  if (body.context !== undefined) needStr(needObj(body.context, ['context']).message_id, ['context', 'message_id']);
  if (byUserId) return { kind: 'send', to, waId: to, type, byUserId };
  return { kind: 'send', to, waId: to.replace(/^\+/, ''), type };
}
