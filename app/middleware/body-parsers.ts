import express, { type RequestHandler } from 'express';
import { AppError } from '../../lib/errors/app-error';
import { dropPrototypeKeys, isUtf8, isUtf8Form } from './body-checks';
import { countFields, parseFormFast, parseFormWithQs } from './php-form';

/** Largest form or JSON body a door reads, in bytes (the parser answers 413 `payload_too_large` beyond it). */
export const BODY_LIMIT = 2 * 1024 * 1024;
/**
 * Bracket levels a form key may have. Bitrix24's deepest real keys have two or three
 * (`data[FIELDS][ID]`, `properties[list][0]`, `auth[member_id]`); deeper is refused with 400
 * `bad_form` (body-parser sets qs' `strictDepth`, so the overflow throws instead of being kept as
 * one garbled key; the lean parser hands such keys to qs).
 */
export const FORM_DEPTH = 8;
/** Fields a form may have: robot calls carry PHP lists as one field per item. */
export const FORM_FIELDS = 20_000;
/** Objects/arrays a JSON body may nest: webhooks nest five or six; deeper is refused with 400 `bad_json`. */
export const JSON_DEPTH = 32;

export const FORM_TYPE = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export const badEncoding = (): AppError =>
  new AppError('bad_encoding', 'request body is not valid UTF-8', { kind: 'bad_input' });

const tooDeepForm = (): AppError =>
  new AppError('bad_form', `form keys nested deeper than ${FORM_DEPTH} levels`, { kind: 'bad_input' });
export const tooDeepJson = (): AppError =>
  new AppError('bad_json', `JSON nested deeper than ${JSON_DEPTH} levels`, { kind: 'bad_input' });

export const unsupportedType = (types: readonly string[]): AppError =>
  new AppError('unsupported_media_type', `expected ${types.join(' or ')}`, { kind: 'unsupported' });

/** JSON.parse for a door that reads raw bytes first (a signature): 400 `bad_json`, never the parser's text (it quotes the body). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('bad_json', 'request body is not valid JSON', { kind: 'bad_input' });
  }
}

/**
 * 415 for a body of any other media type than `types` (a door that reads forms gets nothing from
 * a multipart or text body, and would otherwise answer as if the fields were missing). A request
 * without a body passes: the door's own validation answers that.
 */
export function requireMediaType(...types: string[]): RequestHandler {
  return (req, _res, next) => {
    next(req.is(types) === false ? unsupportedType(types) : undefined);
  };
}

/**
 * Runs `parser`, then drops prototype-named keys from what it parsed (refusing a body nested deeper
 * than `maxDepth`). A body another parser read before (the parser then leaves `req.body` as it
 * was) is that parser's to check.
 */
function cleaned(parser: RequestHandler, maxDepth: number, tooDeep: () => AppError): RequestHandler {
  return (req, res, next) => {
    parser(req, res, (error?: unknown) => {
      if (error !== undefined && error !== null) next(error);
      else next(checkOnce(req.body, maxDepth) ? undefined : tooDeep());
    });
  };
}

/**
 * Bodies whose prototype-named keys were already dropped (by the lean form parser or an earlier
 * `cleaned` step): walked once, whichever door or parser set `req.body` first. An object is only
 * skipped when it is marked, never because some step before happened to set it.
 */
const checkedBodies = new WeakSet<object>();

function markChecked(body: unknown): void {
  if (typeof body === 'object' && body !== null) checkedBodies.add(body);
}

function checkOnce(body: unknown, maxDepth: number): boolean {
  if (typeof body === 'object' && body !== null && checkedBodies.has(body)) return true;
  const ok = dropPrototypeKeys(body, maxDepth);
  if (ok) markChecked(body);
  return ok;
}

/**
 * The errors body-parser's urlencoded parser raised for what is now parsed here: the same status
 * and `type` (http-errors' shape), so classifyError answers and logs them exactly as before.
 */
function parserError(status: number, message: string, type: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}
const tooManyFields = () => parserError(413, 'too many parameters', 'parameters.too.many');
const nestedTooDeep = () => parserError(400, 'The input exceeded the depth', 'querystring.parse.rangeError');

/**
 * A form body's bytes checked as formBody's `verify` checks them: UTF-8 or Latin-1 only, and UTF-8
 * when UTF-8 is declared (as sent and once percent-decoded).
 */
function verifyForm(raw: Buffer, encoding: string): void {
  // As body-parser's urlencoded reader: UTF-8 or Latin-1 only.
  if (encoding !== 'utf-8' && encoding !== 'iso-8859-1') {
    throw parserError(415, `unsupported charset "${encoding.toUpperCase()}"`, 'charset.unsupported');
  }
  if (encoding === 'utf-8' && !isUtf8Form(raw)) throw badEncoding();
}

/**
 * What body-parser passes on when `verify` throws (http-errors' `createError(403, error, {body,
 * type})`): the error keeps its own status, else 403, and is named `entity.verify.failed` unless it
 * names itself. Both the status and the `type` reach the error handler's answer and log line.
 */
function asVerifyFailure(error: unknown, raw: Buffer): unknown {
  if (!(error instanceof Error)) return error;
  const own = Reflect.get(error, 'status') ?? Reflect.get(error, 'statusCode');
  const status = typeof own === 'number' && own >= 400 && own < 600 ? own : 403;
  const type = Reflect.get(error, 'type') ?? 'entity.verify.failed';
  return Object.assign(error, { status, statusCode: status, expose: status < 500, body: raw, type });
}

/** The fields of a decoded form body: parsed, prototype-named keys dropped, nesting bounded. */
function formFields(text: string, charset: string): Record<string, unknown> {
  const parsed = parseForm(text, charset);
  if (parsed.checked) markChecked(parsed.fields);
  // qs already refuses deeper keys; this is the same bound (the body plus its levels).
  if (!checkOnce(parsed.fields, FORM_DEPTH + 1)) throw tooDeepForm();
  return parsed.fields;
}

/**
 * A form body declared UTF-8 (or of no charset) and read whole without a content encoding, as the
 * robot door's direct path reads it: checked, decoded and parsed as formBody does, and any failure
 * the same error formBody passes on (the same answer and log line).
 */
export function utf8FormFields(raw: Buffer): Record<string, unknown> {
  try {
    verifyForm(raw, 'utf-8');
  } catch (error) {
    throw asVerifyFailure(error, raw);
  }
  // body-parser decodes with iconv-lite, which drops a byte-order mark.
  const text = raw.toString('utf8');
  return formFields(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, 'utf-8');
}

/** The charset a form was decoded from (body-parser's text reader names it to `verify` only). */
const formCharsets = new WeakMap<object, string>();

/**
 * The form's fields, parsed as body-parser's `extended` urlencoded parser parses them (PHP
 * brackets, qs semantics): the lean parser for UTF-8 (what Bitrix24 sends), qs for Latin-1 and for
 * whatever the lean parser leaves to it. Too many fields or keys nested too deep are a 400
 * `bad_form`, as before. `checked`: the lean parser took it, so it holds no prototype-named key
 * and no deeper nesting (it hands such bodies to qs), and needs no walk to drop them.
 */
function parseForm(body: string, charset: string): { fields: Record<string, unknown>; checked: boolean } {
  if (body === '') return { fields: {}, checked: true };
  const count = countFields(body, FORM_FIELDS);
  if (count === undefined) throw tooManyFields();
  const options = { depth: FORM_DEPTH, parameterLimit: FORM_FIELDS };
  try {
    const lean = charset === 'utf-8' ? parseFormFast(body, options) : null;
    if (lean !== null) return { fields: lean, checked: true };
    const fields = parseFormWithQs(body, count, options, charset === 'utf-8' ? 'utf-8' : 'iso-8859-1');
    return { fields, checked: false };
  } catch (error) {
    if (error instanceof RangeError) throw nestedTooDeep();
    throw error;
  }
}

/**
 * Bitrix24's forms (robot calls, events, the install page): PHP-style keys, UTF-8 only when UTF-8
 * is declared. body-parser reads the body (size limit, charsets, content encodings, its errors);
 * the fields are parsed here, not by qs: qs alone cost about half of a bare route's time.
 */
export function formBody(): RequestHandler {
  const read = express.text({
    type: FORM_TYPE,
    limit: BODY_LIMIT,
    defaultCharset: 'utf-8',
    verify: (req, _res, raw, encoding) => {
      verifyForm(raw, encoding);
      formCharsets.set(req, encoding);
    },
  });
  return (req, res, next) => {
    read(req, res, (error?: unknown) => {
      if (error !== undefined && error !== null) return next(error);
      if (typeof req.body !== 'string') return next();
      try {
        req.body = formFields(req.body, formCharsets.get(req) ?? 'utf-8');
      } catch (parseError) {
        return next(parseError);
      }
      next();
    });
  };
}

/** JSON bodies (Green-API webhooks, JSON posts to the Bitrix24 doors): UTF-8 (RFC 8259), bounded nesting. */
export function jsonBody(): RequestHandler {
  return cleaned(
    express.json({
      limit: BODY_LIMIT,
      verify: (_req, _res, raw, encoding) => {
        if (encoding !== 'utf-8') throw unsupportedType([`${JSON_TYPE}; charset=utf-8`]);
        if (!isUtf8(raw)) throw badEncoding();
      },
    }),
    JSON_DEPTH,
    tooDeepJson,
  );
}

/**
 * A Bitrix24 door's body, form or JSON, in one step: 415 for any other media type (as
 * requireMediaType), then the one parser its type needs (one content-type check, not three).
 */
export function formOrJsonBody(): RequestHandler {
  const form = formBody();
  const json = jsonBody();
  const types = [FORM_TYPE, JSON_TYPE];
  return (req, res, next) => {
    const type = req.is(types);
    if (type === false) next(unsupportedType(types));
    else if (type === null) next();
    else if (type === JSON_TYPE) json(req, res, next);
    else form(req, res, next);
  };
}
