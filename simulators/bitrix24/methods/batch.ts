/** `batch`: up to 50 sub-calls in one request, with `$result[key][field]` references. */
import { parsePhpQuery } from '../../shared/php-form';
import { asDict, type Dict, isDict, param, str } from '../params';
import { RestError } from '../rest-error';
import { restTime } from '../rest-time';
import type { MethodContext, MethodTable } from './method-types';

const MAX_COMMANDS = 50;
const FORBIDDEN = new Set(['batch', 'download', 'upload']);

/** PHP array → JSON: empty as `[]`, keys 0..n-1 as a list, otherwise an object. */
export function phpJson(map: Record<string, unknown>): unknown {
  const keys = Object.keys(map);
  if (keys.length === 0) return [];
  if (keys.every((k, i) => k === String(i))) return keys.map((k) => map[k]);
  return map;
}

function lookup(results: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = results;
  for (const seg of path) {
    const d = asDict(node);
    if (!d) return undefined;
    node = d[seg];
  }
  return node;
}

const REF_RE = /\$result\[([^\]]+)\]((?:\[[^\]]*\])*)/g;

function substitute(value: unknown, results: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (!value.includes('$result[')) return value;
    return value.replace(REF_RE, (_m, key: string, rest: string) => {
      const path = [key, ...[...rest.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '')];
      return str(lookup(results, path));
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
  return value;
}

async function batch(ctx: MethodContext, params: Dict): Promise<unknown> {
  ctx.state.stats.batchCalls++;
  const halt = ['1', 'true', 'Y'].includes(str(param(params, 'halt')));
  const cmd = asDict(param(params, 'cmd')) ?? {};
  const result: Record<string, unknown> = {};
  const resultError: Record<string, unknown> = {};
  const resultTime: Record<string, unknown> = {};
  let index = 0;
  for (const [key, raw] of Object.entries(cmd)) {
    index++;
    if (index > MAX_COMMANDS) {
      resultError[key] = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
      continue;
    }
    const started = Date.now();
    const text = str(raw);
    const q = text.indexOf('?');
    const method = (q === -1 ? text : text.slice(0, q))
      .trim()
      .toLowerCase()
      .replace(/\.json$/, '');
    try {
      if (FORBIDDEN.has(method))
        throw new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage', 400);
      const subParams = substitute(parsePhpQuery(q === -1 ? '' : text.slice(q + 1)), result) as Dict;
      delete subParams.auth;
      result[key] = await ctx.call(method, subParams);
      resultTime[key] = restTime(started);
    } catch (err) {
      const e = err instanceof RestError ? err : new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500);
      resultError[key] = { error: e.code, error_description: e.description };
      if (halt) break;
    }
  }
  return {
    result: phpJson(result),
    result_error: phpJson(resultError),
    result_total: [],
    result_next: [],
    result_time: phpJson(resultTime),
  };
}

/** The batch method. */
export const batchMethods: MethodTable = { batch };
