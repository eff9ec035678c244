/** Small helpers for validating send bodies with Graph-style error details. */

/** A validation failure; `details` names the parameter. */
export class InvalidParam extends Error {
  constructor(readonly details: string) {
    super(details);
  }
}

/** A JSON object. */
export type Obj = Record<string, unknown>;

/** True for plain JSON objects. */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Formats a path like `interactive['action']['buttons'][0]`. */
export function pathOf(parts: Array<string | number>): string {
  return parts.map((p, i) => (i === 0 ? String(p) : typeof p === 'number' ? `[${p}]` : `['${p}']`)).join('');
}

/** Requires an object at `path`. */
export function needObj(v: unknown, path: Array<string | number>): Obj {
  if (v === undefined) throw new InvalidParam(`The parameter ${pathOf(path)} is required.`);
  if (!isObj(v)) throw new InvalidParam(`Param ${pathOf(path)} must be a JSON object.`);
  return v;
}

/** Requires a non-empty string of at most `max` characters (when given). */
export function needStr(v: unknown, path: Array<string | number>, max?: number): string {
  if (v === undefined || v === null || v === '') throw new InvalidParam(`The parameter ${pathOf(path)} is required.`);
  if (typeof v !== 'string') throw new InvalidParam(`Param ${pathOf(path)} must be a string.`);
  if (max !== undefined && [...v].length > max)
    throw new InvalidParam(`Param ${pathOf(path)} must be at most ${max} characters long.`);
  return v;
}

/** Optional string with a max length. */
export function optStr(v: unknown, path: Array<string | number>, max?: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidParam(`Param ${pathOf(path)} must be a string.`);
  if (max !== undefined && [...v].length > max)
    throw new InvalidParam(`Param ${pathOf(path)} must be at most ${max} characters long.`);
  return v;
}

/** Requires an array with a length between `min` and `max`. */
export function needArr(v: unknown, path: Array<string | number>, min: number, max: number): unknown[] {
  if (v === undefined) throw new InvalidParam(`The parameter ${pathOf(path)} is required.`);
  if (!Array.isArray(v)) throw new InvalidParam(`Param ${pathOf(path)} must be an array.`);
  if (v.length < min)
    throw new InvalidParam(`Param ${pathOf(path)} must have at least ${min} element${min === 1 ? '' : 's'}.`);
  if (v.length > max) throw new InvalidParam(`Param ${pathOf(path)} must have at most ${max} elements.`);
  return v;
}
