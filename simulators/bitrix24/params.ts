/** Helpers to read loosely-typed REST parameters (JSON or PHP form). */

/** A string-keyed record. */
export type Dict = Record<string, unknown>;

/** True for plain objects (not arrays, not null). */
export function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Arrays become `{0:…,1:…}` maps, objects stay, anything else is undefined. */
export function asDict(v: unknown): Dict | undefined {
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  return isDict(v) ? v : undefined;
}

/** Reads a top-level parameter, ignoring the case of its name. */
export function param(params: Dict, name: string): unknown {
  if (name in params) return params[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Copies `obj` with upper-cased keys. */
export function upperKeys(obj: Dict): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(obj)) out[k.toUpperCase()] = v;
  return out;
}

/** A scalar as string ('' for null/undefined, JSON for objects). */
export function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** A positive integer id, or undefined when the value is not one. */
export function positiveInt(v: unknown): number | undefined {
  const s = str(v).trim();
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
}
