/**
 * A batch row (`method?query`) written exactly as b24jssdk 2.2.0 writes it (`qs-esm` 8
 * `stringify` with its defaults: RFC 3986 percent-encoding, brackets in keys encoded, array
 * indices, `true`/`false`, `null` as an empty value, a Date as its ISO string, `undefined` left
 * out), so a command reads the same to the portal whichever way it was sent. Every string is made
 * well-formed first: a lone UTF-16 surrogate (a reply cut inside an emoji) becomes U+FFFD instead
 * of an exception (`encodeURIComponent` throws on one) or a byte sequence PHP would refuse.
 */

/** Characters every encoder here leaves as they are (RFC 3986 unreserved): such a string is its own encoding. */
const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;
/** What encodeURIComponent leaves and qs encodes. */
const QS_RESERVED = /[!'()*]/;
const QS_RESERVED_ALL = /[!'()*]/g;

/** `encodeURIComponent` plus the characters RFC 3986 reserves that it leaves alone (as qs does). */
function encode(value: string): string {
  if (UNRESERVED.test(value)) return value;
  const encoded = encodeURIComponent(value.isWellFormed() ? value : value.toWellFormed());
  return QS_RESERVED.test(encoded)
    ? encoded.replace(QS_RESERVED_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    : encoded;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Writes `value` under its key, `key` already encoded: a nested key is its parent's encoded key
 * and `%5B<encoded key>%5D` (what encoding the whole `parent[key]` gives: every character is
 * encoded on its own, and the brackets keep a surrogate of one key from pairing with another's).
 */
function walk(key: string, value: unknown, out: string[]): void {
  if (value === undefined) return;
  if (value === null) {
    out.push(`${key}=`);
    return;
  }
  if (value instanceof Date) {
    out.push(`${key}=${encode(value.toISOString())}`);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) walk(`${key}%5B${i}%5D`, value[i], out);
    return;
  }
  if (typeof value === 'object') {
    if (!isPlainObject(value))
      throw new TypeError(`${decodeURIComponent(key)}: a ${value.constructor?.name ?? 'object'} is no parameter`);
    for (const k in value) {
      if (Object.hasOwn(value, k)) walk(`${key}%5B${encode(k)}%5D`, Reflect.get(value, k), out);
    }
    return;
  }
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  ) {
    out.push(`${key}=${encode(String(value))}`);
    return;
  }
  throw new TypeError(`${decodeURIComponent(key)}: a ${typeof value} is no parameter`);
}

/** One batch row: `method?` and its parameters, nested keys in brackets. Throws (TypeError) on a value no portal parameter can be. */
export function batchRow(method: string, params: Record<string, unknown>): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(params)) walk(encode(k), v, out);
  return `${method}?${out.join('&')}`;
}

/** Every string in `value` made well-formed (lone surrogates → U+FFFD): what the SDK's JSON calls are given. */
export function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value && typeof value === 'object' && isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormed(v)]));
  return value;
}
