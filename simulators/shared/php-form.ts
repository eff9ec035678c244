/** PHP-compatible form encoding (`http_build_query`) and decoding (`parse_str`). */

/** PHP `urlencode`: RFC 1738, space as `+`, only alnum and `-_.` left as is. */
export function phpUrlencode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function scalarToString(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

function walk(prefix: string, value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walk(`${prefix}[${i}]`, item, out);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(`${prefix}[${k}]`, v, out);
    return;
  }
  const s = scalarToString(value);
  if (s !== undefined) out.push(`${phpUrlencode(prefix)}=${phpUrlencode(s)}`);
}

/** Encodes an object exactly like PHP `http_build_query` (nulls and empty arrays dropped, booleans as 1/0). */
export function encodePhpForm(obj: Record<string, unknown>): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) walk(k, v, out);
  return out.join('&');
}

/** A PHP-like decoded value: string leaves, nested maps or lists. */
export type PhpValue = string | PhpValue[] | { [key: string]: PhpValue };

function safeDecode(s: string): string {
  // Nothing to decode (most keys and many values): the string as is.
  if (!s.includes('%') && !s.includes('+')) return s;
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

type Tree = { [key: string]: Tree | string };

function splitKey(rawKey: string): string[] | undefined {
  const open = rawKey.indexOf('[');
  let base = open === -1 ? rawKey : rawKey.slice(0, open);
  if (base === '') return undefined;
  const segments: string[] = [];
  let rest = open === -1 ? '' : rawKey.slice(open);
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) break;
    segments.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  if (open !== -1 && segments.length === 0) base = rawKey; // unmatched bracket: PHP keeps the literal name
  base = base.replace(/[ .]/g, '_').replace(/\[/g, '_');
  return [base, ...segments];
}

function nextIndex(node: Tree): string {
  let max = -1;
  for (const k of Object.keys(node)) if (/^(0|[1-9][0-9]*)$/.test(k)) max = Math.max(max, Number(k));
  return String(max + 1);
}

function toPhpValue(node: Tree | string): PhpValue {
  if (typeof node === 'string') return node;
  const entries = Object.entries(node);
  const isList = entries.length > 0 && entries.every(([k], i) => k === String(i));
  if (isList) return entries.map(([, v]) => toPhpValue(v));
  const out: { [key: string]: PhpValue } = {};
  for (const [k, v] of entries) out[k] = toPhpValue(v);
  return out;
}

/** Decodes a query string like PHP `parse_str` (bracket nesting, `[]` appends, lists for 0..n-1 keys). */
export function parsePhpQuery(query: string): Record<string, PhpValue> {
  const root: Tree = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : safeDecode(pair.slice(eq + 1));
    const path = splitKey(rawKey);
    if (!path) continue;
    let node: Tree = root;
    for (const [i, rawSeg] of path.entries()) {
      if (rawSeg === '__proto__' || rawSeg === 'constructor' || rawSeg === 'prototype') break;
      const seg = rawSeg === '' && i > 0 ? nextIndex(node) : rawSeg;
      if (i === path.length - 1) {
        node[seg] = value;
      } else {
        let child = node[seg];
        if (child === undefined || typeof child === 'string') {
          child = {};
          node[seg] = child;
        }
        node = child;
      }
    }
  }
  const out: Record<string, PhpValue> = {};
  for (const [k, v] of Object.entries(root)) out[k] = toPhpValue(v);
  return out;
}
