import { isUtf8 } from 'node:buffer';

/**
 * Keys that name a member of Object.prototype (`__proto__`, `constructor`, `toString`…) or
 * `prototype`: never data in a form or webhook, and a trap for any code that treats the parsed body
 * as a plain object (an own `toString` breaks `String(x)`, `constructor[prototype]` invites pollution).
 */
export const prototypeKeys: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
]);

/**
 * Drops prototype-named keys at every level of a parsed body, in place. Returns false when the value
 * nests deeper than `maxDepth` objects/arrays (then the body is refused, not walked further).
 * Iterative on purpose: 2 MB of `[` nests far deeper than the call stack reaches.
 */
export function dropPrototypeKeys(value: unknown, maxDepth = Number.POSITIVE_INFINITY): boolean {
  // Only objects and arrays are stacked (a leaf has nothing to drop or nest), each beside its depth:
  // no object made per value of a webhook body.
  const nodes: object[] = [];
  const depths: number[] = [];
  if (typeof value === 'object' && value !== null) {
    nodes.push(value);
    depths.push(1);
  }
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    const depth = depths.pop() ?? 1;
    if (depth > maxDepth) return false;
    for (const key of Object.keys(node)) {
      if (prototypeKeys.has(key)) {
        Reflect.deleteProperty(node, key);
        continue;
      }
      const child: unknown = Reflect.get(node, key);
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return true;
}

/** 0–15 for an ASCII hex digit, else -1. */
function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** The bytes a form body stands for: every `%XX` replaced by its byte (a `%` without two hex digits stays). */
export function percentDecoded(raw: Uint8Array): Uint8Array {
  if (!raw.includes(0x25)) return raw;
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i += 1) {
    const byte = raw[i] ?? 0;
    const high = byte === 0x25 ? hexValue(raw[i + 1]) : -1;
    const low = high >= 0 ? hexValue(raw[i + 2]) : -1;
    if (low >= 0) {
      out[n] = high * 16 + low;
      i += 2;
    } else out[n] = byte;
    n += 1;
  }
  return out.subarray(0, n);
}

/**
 * True when a UTF-8 form body is UTF-8 both as sent and once percent-decoded. Both matter: the
 * decoder behind body-parser turns raw bad bytes into U+FFFD, and qs keeps a `%C3%28` whose decoding
 * fails as the literal text `%C3%28`; either way garbled text would reach the queue. `&` and `=`
 * are ASCII, so a sequence cut by them is invalid here too, as it is field by field.
 */
export function isUtf8Form(raw: Uint8Array): boolean {
  return isUtf8(raw) && (!hasNonAsciiEscape(raw) || isUtf8(percentDecoded(raw)));
}

/**
 * Whether a `%XX` stands for a byte of 0x80 or more. Without one, decoding only turns ASCII
 * escapes into ASCII bytes, which never end or start a multi-byte sequence: valid UTF-8 as sent
 * stays valid once decoded, and the decoded copy need not be made.
 */
function hasNonAsciiEscape(raw: Uint8Array): boolean {
  for (let at = raw.indexOf(0x25); at !== -1; at = raw.indexOf(0x25, at + 1)) {
    if (hexValue(raw[at + 1]) >= 8 && hexValue(raw[at + 2]) >= 0) return true;
  }
  return false;
}

export { isUtf8 };
