import type { Request } from 'express';
import type { z } from 'zod';
import { badParameter } from './api-answers';

/**
 * The parameters of a request, the same whichever way they came: the query of a GET, the form or
 * JSON body of a POST (query parameters of a POST count too; the body wins). `params[]` (a PHP-style
 * list in a query) is `params`.
 */
export function requestParameters(req: Request): Record<string, unknown> {
  // Express types the parsed query as its parser's ParsedQs: an object of strings and lists, read as data here.
  const fromQuery: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
  const body: unknown = req.body;
  const fromBody = req.method === 'POST' && typeof body === 'object' && body !== null ? body : {};
  const merged: Record<string, unknown> = { ...fromQuery, ...fromBody };
  for (const [key, value] of Object.entries(merged)) {
    if (!key.endsWith('[]')) continue;
    delete merged[key];
    merged[key.slice(0, -2)] = Array.isArray(value) ? value : [value];
  }
  return merged;
}

/** Parses with the method's schema; a bad value is a 400 naming its field. */
export function parseParameters<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const field = issue?.path.map(String).join('.') || 'parameters';
  throw badParameter(field, issue?.message ?? 'invalid');
}

/** `params` as a list: a JSON array in a string, a list, or one value. */
export function parseParamsList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  const text = value.trim();
  if (!text.startsWith('[')) return text ? [text] : [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badParameter('params', 'not a valid JSON array');
  }
  if (!Array.isArray(json) || json.length > 100) throw badParameter('params', 'a JSON array of at most 100 values');
  return json.map((item, i) => {
    if (typeof item !== 'string' && typeof item !== 'number') throw badParameter(`params.${i}`, 'a string or number');
    const out = String(item);
    if (out.length > 1024) throw badParameter(`params.${i}`, 'at most 1024 characters');
    return out;
  });
}
