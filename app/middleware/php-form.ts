import qs from 'qs';
import { prototypeKeys } from './body-checks';

/** A parsed form: string leaves, nested objects, lists. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

export interface PhpFormOptions {
  /** Bracket levels a key may have; deeper throws a RangeError (as qs with `strictDepth`). */
  depth: number;
  /** Fields the body may have (checked by the caller before parsing). */
  parameterLimit: number;
}

/**
 * A `%XX` is decoded (UTF-8) and `+` is a space. Text with a broken escape is kept as qs keeps it:
 * as sent, but with its encoded brackets turned into brackets (qs does that to the whole body first).
 */
function decode(text: string): string {
  if (text.indexOf('%') === -1) return text.indexOf('+') === -1 ? text : text.replace(/\+/g, ' ');
  const spaced = text.indexOf('+') === -1 ? text : text.replace(/\+/g, ' ');
  const ascii = decodeAsciiEscapes(spaced);
  if (ascii !== undefined) return ascii;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/%5B/gi, '[').replace(/%5D/gi, ']');
  }
}

/** 0–15 for an ASCII hex digit's char code, else -1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * decodeURIComponent for text whose escapes all stand for ASCII (`%3A`, `%7C`: what a token or an
 * address holds), built without the engine's slower general decoder. Undefined when an escape is
 * broken or starts a multi-byte sequence: decodeURIComponent then decides.
 */
function decodeAsciiEscapes(text: string): string | undefined {
  let out = '';
  let last = 0;
  for (let at = text.indexOf('%'); at !== -1; at = text.indexOf('%', last)) {
    const high = hexDigit(text.charCodeAt(at + 1));
    const low = hexDigit(text.charCodeAt(at + 2));
    if (high < 0 || high > 7 || low < 0) return undefined;
    out += text.slice(last, at) + String.fromCharCode(high * 16 + low);
    last = at + 3;
  }
  return out + text.slice(last);
}

/**
 * Where the key ends, or -2 when qs would split elsewhere: qs ends the key at the first `]=`
 * (after turning `%5D` into `]`) even when an `=` came before it — never so in a real form.
 */
function keyEnd(part: string): number {
  const equals = part.indexOf('=');
  if (equals === -1) return -1;
  if (part.indexOf(']=', equals) !== -1) return -2;
  // A `%5D=` ending right at the first `=` is the usual `name%5Bx%5D=`; one further on is not.
  const usual = equals >= 3 ? equals - 3 : 0;
  const upper = part.indexOf('%5D=', usual);
  const lower = part.indexOf('%5d=', usual);
  return upper > usual || lower > usual ? -2 : equals;
}

/** A canonical non-negative integer ("0", "12"; not "01", "-1"). */
function isIndex(segment: string): boolean {
  const length = segment.length;
  if (length === 0 || length > 15) return false;
  const first = segment.charCodeAt(0);
  if (first === 0x30) return length === 1;
  for (let i = 0; i < length; i += 1) {
    const code = segment.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/**
 * What is at `at` in a raw key: 0 a plain character, 1 `[`, 2 `]`, 11 `%5B`, 12 `%5D` (either
 * case), -1 anything that needs decoding (another escape, `+`).
 */
function rawCharAt(key: string, at: number): number {
  const code = key.charCodeAt(at);
  if (code === 0x5b) return 1;
  if (code === 0x5d) return 2;
  if (code === 0x2b) return -1;
  if (code !== 0x25) return 0;
  if (key.charCodeAt(at + 1) !== 0x35) return -1;
  const letter = key.charCodeAt(at + 2) | 0x20;
  return letter === 0x62 ? 11 : letter === 0x64 ? 12 : -1;
}

/**
 * `splitKey` straight from the raw key when its only escapes are brackets (`name%5Ba%5D`, as
 * http_build_query writes them): no decoding at all. Undefined when it needs decoding first.
 */
function splitRawKey(key: string, depth: number): string[] | null | undefined {
  const length = key.length;
  let at = 0;
  let kind = 0;
  for (; at < length; at += 1) {
    kind = rawCharAt(key, at);
    if (kind !== 0) break;
  }
  if (kind === -1) return undefined;
  if (at === length) return key === '' ? null : [key];
  if (at === 0 || kind % 10 === 2) return null;
  const path = [key.slice(0, at)];
  while (at < length) {
    if (kind % 10 !== 1 || path.length > depth) return kind === -1 ? undefined : null;
    const start = at + (kind > 10 ? 3 : 1);
    let end = start;
    for (; end < length; end += 1) {
      kind = rawCharAt(key, end);
      if (kind !== 0) break;
    }
    if (end === length || kind % 10 !== 2) return kind === -1 ? undefined : null;
    path.push(key.slice(start, end));
    at = end + (kind > 10 ? 3 : 1);
    if (at < length) kind = rawCharAt(key, at);
  }
  return path;
}

/** Splits `name[a][b]` into ['name', 'a', 'b']; null for any other key shape (left to qs). */
function splitKey(key: string, depth: number): string[] | null {
  const open = key.indexOf('[');
  if (open === -1) return key === '' || key.indexOf(']') !== -1 ? null : [key];
  if (open === 0) return null;
  const name = key.slice(0, open);
  if (name.indexOf(']') !== -1) return null;
  const path = [name];
  let at = open;
  while (at < key.length) {
    if (key.charCodeAt(at) !== 0x5b || path.length > depth) return null;
    const close = key.indexOf(']', at + 1);
    if (close === -1) return null;
    const segment = key.slice(at + 1, close);
    if (segment.indexOf('[') !== -1) return null;
    path.push(segment);
    at = close + 1;
  }
  return path;
}

type Container = FormValue[] | { [key: string]: FormValue };

/**
 * The lean parser for the shapes Bitrix24 sends: `name=v`, `name[key]…=v` objects, `name[]=v`
 * lists and `name[0]=v&name[1]=v…` lists in order. Returns null on anything else (a repeated key,
 * a list out of order, a key qs reads in its own way, a prototype name): the caller then uses qs,
 * so every body still parses exactly as qs (body-parser's `extended` parser) parses it.
 */
export function parseFormFast(body: string, options: PhpFormOptions): Record<string, FormValue> | null {
  const root: Record<string, FormValue> = {};
  if (body === '') return root;
  let appended: Set<FormValue[]> | undefined;
  for (const part of body.split('&')) {
    if (part === '') continue;
    const equals = keyEnd(part);
    if (equals === -2) return null;
    const rawKey = equals === -1 ? part : part.slice(0, equals);
    const simple = splitRawKey(rawKey, options.depth);
    const path = simple === undefined ? splitKey(decode(rawKey), options.depth) : simple;
    if (path === null) return null;
    const value = equals === -1 ? '' : decode(part.slice(equals + 1));
    let node: Container = root;
    let key: string | number = path[0] ?? '';
    if (prototypeKeys.has(key)) return null;
    for (let i = 1; i < path.length; i += 1) {
      const segment = path[i] ?? '';
      const append = segment === '';
      // `a[][b]` merges items in qs' own way: not a shape Bitrix24 sends.
      if (append && i !== path.length - 1) return null;
      const index = !append && isIndex(segment);
      if (!append && !index && prototypeKeys.has(segment)) return null;
      const wantsList = append || index;
      const existing: FormValue | undefined = Array.isArray(node) ? node[key as number] : node[key as string];
      let child: Container;
      if (existing === undefined) {
        child = wantsList ? [] : {};
        if (append && Array.isArray(child)) {
          appended ??= new Set();
          appended.add(child);
        }
        if (Array.isArray(node)) node.push(child);
        else node[key as string] = child;
      } else if (typeof existing === 'string' || Array.isArray(existing) !== wantsList) return null;
      else child = existing;
      if (Array.isArray(child)) {
        // Items come in order, appended or numbered, never both; a numbered item may go on
        // (`a[0][x]`, `a[0][y]`) only while it is the last one.
        if ((appended?.has(child) ?? false) !== append) return null;
        key = append ? child.length : Number(segment);
        if (key !== child.length && key !== child.length - 1) return null;
      } else key = segment;
      node = child;
    }
    if (Array.isArray(node)) {
      if (key !== node.length) return null;
      node.push(value);
    } else if (node[key as string] !== undefined) return null;
    else node[key as string] = value;
  }
  return root;
}

/** Fields in a body, counting `&` as body-parser does (undefined when over `limit`). */
export function countFields(body: string, limit: number): number | undefined {
  let count = 0;
  let index = -1;
  do {
    count += 1;
    if (count > limit) return undefined;
    index = body.indexOf('&', index + 1);
  } while (index !== -1);
  return count;
}

/** qs as body-parser's `extended` urlencoded parser runs it (`allowPrototypes`, `strictDepth`, an array limit of max(100, fields)). */
export function parseFormWithQs(
  body: string,
  fields: number,
  options: PhpFormOptions,
  charset: 'utf-8' | 'iso-8859-1' = 'utf-8',
): Record<string, unknown> {
  return qs.parse(body, {
    allowPrototypes: true,
    arrayLimit: Math.max(100, fields),
    depth: options.depth,
    charset,
    parameterLimit: options.parameterLimit,
    strictDepth: true,
  });
}

/** Parses a UTF-8 form body as body-parser's `extended` urlencoded parser does: the lean parser first, qs for whatever it does not take. */
export function parsePhpForm(body: string, fields: number, options: PhpFormOptions): Record<string, unknown> {
  return parseFormFast(body, options) ?? parseFormWithQs(body, fields, options);
}
