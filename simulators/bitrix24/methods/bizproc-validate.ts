/** Validation of robot / activity registration fields, as in the bizproc core. */

import { asDict, type Dict, isDict, str } from '../params';
import { RestError, restErrors } from '../rest-error';
import type { ActivityKind, Registration } from '../types';

const CODE_RE = /^[a-z0-9.\-_]+$/i;
const PROP_KEY_RE = /^[a-z][a-z0-9_]*$/i;

/** Checks a handler URL: http(s) with a dotted host. */
export function checkHandlerUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RestError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL', 400);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new RestError('ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported protocol', 400);
  if (!parsed.hostname.includes('.')) throw new RestError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL', 400);
}

/** Validates a CODE value. */
export function checkCode(code: unknown): string {
  const s = str(code);
  if (s === '') throw restErrors.validation('Empty activity code!');
  if (!CODE_RE.test(s)) throw restErrors.validation('Wrong activity code!');
  return s;
}

function normaliseProperties(raw: unknown): Record<string, Record<string, unknown>> {
  if (raw === undefined || raw === null || raw === '') return {};
  const dict = asDict(raw);
  if (!dict) throw restErrors.validation('Wrong properties array!');
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(dict)) {
    if (!PROP_KEY_RE.test(key)) throw restErrors.validation(`Wrong property key (${key})!`);
    const attrs = asDict(value);
    if (!attrs) throw restErrors.validation(`Empty property NAME (${key})!`);
    const upper: Record<string, unknown> = {};
    for (const [a, v] of Object.entries(attrs)) upper[a.toUpperCase()] = v;
    const name = upper.NAME;
    if (name === undefined || name === null || name === '' || (isDict(name) && Object.keys(name).length === 0)) {
      throw restErrors.validation(`Empty property NAME (${key})!`);
    }
    checkSelect(key, upper);
    out[key] = upper;
  }
  return out;
}

/**
 * A select's OPTIONS are `{key: label}` with plain string labels (no per-language maps: the dialog
 * prints the label as is) and its DEFAULT is one of the keys (portal-ui-wire.md §5). The core
 * stores anything; the simulator refuses what the robot dialog would show wrongly, with the core's
 * validation error, so a registration that would look broken on a real portal fails here.
 */
function checkSelect(key: string, attrs: Record<string, unknown>): void {
  if (str(attrs.TYPE) !== 'select') return;
  const raw = attrs.OPTIONS;
  // PHP drops an empty array from a form: a select without options arrives without OPTIONS.
  if (raw === undefined || raw === null || raw === '') {
    if (attrs.DEFAULT !== undefined && attrs.DEFAULT !== '')
      throw restErrors.validation(`Wrong property DEFAULT (${key})!`);
    return;
  }
  const options = asDict(raw);
  if (!options) throw restErrors.validation(`Wrong property OPTIONS (${key})!`);
  for (const label of Object.values(options)) {
    if (typeof label !== 'string' || label === '') throw restErrors.validation(`Wrong property OPTIONS (${key})!`);
  }
  const fallback = attrs.DEFAULT;
  if (fallback !== undefined && fallback !== '' && !Object.hasOwn(options, str(fallback)))
    throw restErrors.validation(`Wrong property DEFAULT (${key})!`);
}

/** Builds a registration from upper-cased fields, validating like `prepareActivityData`. */
export function buildRegistration(kind: ActivityKind, fields: Dict): Registration {
  if (Object.keys(fields).length === 0) throw restErrors.validation('Empty data!');
  const code = checkCode(fields.CODE);
  const handler = str(fields.HANDLER);
  checkHandlerUrl(handler);
  const name = fields.NAME;
  if (name === undefined || name === null || name === '' || (isDict(name) && Object.keys(name).length === 0)) {
    throw restErrors.validation('Empty activity NAME!');
  }
  const properties = normaliseProperties(fields.PROPERTIES);
  const returnProperties = normaliseProperties(fields.RETURN_PROPERTIES);
  if (fields.DOCUMENT_TYPE !== undefined) {
    const dt = fields.DOCUMENT_TYPE;
    if (!Array.isArray(dt) || dt.length !== 3) throw restErrors.validation('Wrong activity DOCUMENT_TYPE!');
  }
  if (fields.FILTER !== undefined && fields.FILTER !== '' && !asDict(fields.FILTER))
    throw restErrors.validation('Wrong activity FILTER!');
  const usePlacement = fields.USE_PLACEMENT === undefined ? undefined : str(fields.USE_PLACEMENT);
  const placementHandler = fields.PLACEMENT_HANDLER === undefined ? undefined : str(fields.PLACEMENT_HANDLER);
  if (usePlacement === 'Y') {
    if (!placementHandler) throw new RestError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL', 400);
    checkHandlerUrl(placementHandler);
  }
  return {
    kind,
    code,
    handler,
    authUserId: Number.parseInt(str(fields.AUTH_USER_ID), 10) || 0,
    useSubscription: str(fields.USE_SUBSCRIPTION),
    name,
    description: fields.DESCRIPTION,
    properties,
    returnProperties,
    documentType: fields.DOCUMENT_TYPE,
    filter: fields.FILTER,
    usePlacement,
    placementHandler,
    fields,
  };
}
