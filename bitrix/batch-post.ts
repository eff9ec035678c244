import type { B24OAuth } from '@bitrix24/b24jssdk';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { errorMessage } from '../lib/errors/classify-error';
import type { Portal } from '../store/portal-store';
import { BitrixError } from './bitrix-error';

/**
 * `batch` posted by the app itself rather than through b24jssdk: the SDK builds a client per call,
 * redacts and serialises every request and answer for its (silent) log and encodes each row with
 * `qs`; on the callback path that was ~10 % of a worker's CPU per sent message (issue 10). The
 * request is the one the SDK sends (a JSON body: `cmd` rows `method?query` in PHP's bracket form,
 * `halt`, `auth`). An answer this path does not handle itself (a refused token) goes to the SDK,
 * whose refresh takes it from there.
 */

const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

/** As b24jssdk's client waits for an answer. */
const TIMEOUT_MS = 30_000;

/** PHP `urlencode` (`http_build_query`'s encoding): only alphanumerics and `-_.` stay as they are. */
function phpUrlencode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function walk(prefix: string, value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walk(`${prefix}[${i}]`, item, out);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(`${prefix}[${k}]`, v, out);
    return;
  }
  const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  out.push(`${phpUrlencode(prefix)}=${phpUrlencode(text)}`);
}

/** One batch row: `method?` and its parameters as PHP `http_build_query` writes them (nested keys in brackets). */
export function batchRow(method: string, params: Record<string, unknown>): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(params)) walk(k, v, out);
  return `${method}?${out.join('&')}`;
}

const rowsSchema = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]);
const batchAnswerSchema = z.object({
  result: z.object({ result: rowsSchema.optional(), result_error: rowsSchema.optional() }),
});
const errorAnswerSchema = z.object({
  error: z.union([z.string(), z.number()]),
  error_description: z.string().optional(),
});
/** One row's error (built once: a schema made per row was a visible cost of a 50-row answer). */
const rowErrorSchema = errorAnswerSchema.partial();

/** Each row's answer the way the SDK hands it on (`_data`): its result, or its error. */
export type BatchRowAnswer = { result?: unknown; error?: string | number; error_description?: string };

function rowOf(rows: Record<string, unknown> | unknown[] | undefined, key: string): unknown {
  if (!rows) return undefined;
  return Array.isArray(rows) ? rows[Number(key)] : rows[key];
}

/**
 * Posts `rows` (key → `batchRow`) to the portal's `batch`, never halting on a row's error. Returns
 * each row's answer, or 'refused_token' (401: the SDK path refreshes and repeats). Any other
 * refusal throws the BitrixError the SDK path would have led to (the portal's code and status).
 */
export async function postBatch(
  endpoint: string,
  accessToken: string,
  rows: Record<string, string>,
): Promise<Map<string, BatchRowAnswer> | 'refused_token'> {
  const url = `${endpoint.replace(/\/+$/, '')}/batch`;
  let status: number;
  let text: string;
  try {
    const answer = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'b24-whatsapp-robots' },
      body: JSON.stringify({ cmd: rows, halt: 0, auth: accessToken }),
      dispatcher: agent,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    status = answer.statusCode;
    text = await answer.body.text();
  } catch (error) {
    const timedOut = error instanceof Error && /timeout/i.test(error.message);
    if (timedOut) throw new BitrixError('REQUEST_TIMEOUT', 'Request timeout exceeded', 408, 'batch');
    throw new BitrixError('NETWORK_ERROR', errorMessage(error), 0, 'batch');
  }
  if (status === 401) return 'refused_token';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const failure = errorAnswerSchema.safeParse(body);
  if (status !== 200 || failure.success) {
    if (failure.success)
      throw new BitrixError(String(failure.data.error), failure.data.error_description ?? '', status, 'batch');
    // What the SDK's client (axios) names an answer that is no portal's JSON.
    throw new BitrixError(status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST', text.slice(0, 200), status, 'batch');
  }
  const parsed = batchAnswerSchema.safeParse(body);
  if (!parsed.success) throw new BitrixError('ERROR', 'the batch answer has no result', status, 'batch');
  const { result, result_error: errors } = parsed.data.result;
  const answers = new Map<string, BatchRowAnswer>();
  for (const key of Object.keys(rows)) {
    const data = rowOf(result, key);
    const error = rowOf(errors, key);
    if (data === undefined && error === undefined) continue;
    const errorRow = error === undefined ? null : rowErrorSchema.safeParse(error);
    answers.set(key, {
      result: data,
      error: typeof error === 'string' ? error : errorRow?.success ? errorRow.data.error : undefined,
      error_description: errorRow?.success ? errorRow.data.error_description : undefined,
    });
  }
  return answers;
}

/**
 * The portal's own answer for one batch row. b24jssdk 2.2.0 turns a row whose `error` is a number
 * (the portal sends `error: 404` for a workflow that has ended) into a "success" with no result,
 * and `getData()` drops error fields; its frozen answer (`_data`) still has them, so read that.
 * The version is pinned and the workflow-gone tests fail if this ever stops holding.
 */
function rawRowAnswer(row: unknown): unknown {
  return row && typeof row === 'object' && '_data' in row ? row._data : undefined;
}

/** A token this close to its expiry goes through the SDK, which refreshes it before the call. */
const TOKEN_MARGIN_MS = 60_000;

/**
 * Each row's answer: posted directly while the token is fresh, else (or when the portal refuses
 * the token) through the SDK, which refreshes it first.
 */
export async function batchAnswers(
  sdk: () => B24OAuth,
  portal: Pick<Portal, 'expiresAt' | 'clientEndpoint' | 'accessToken'>,
  commands: Record<string, [method: string, params: Record<string, unknown>]>,
  now: number,
): Promise<Map<string, unknown>> {
  if (portal.expiresAt > now + TOKEN_MARGIN_MS) {
    const rows = Object.fromEntries(Object.entries(commands).map(([key, [m, p]]) => [key, batchRow(m, p)]));
    const direct = await postBatch(portal.clientEndpoint, portal.accessToken, rows);
    if (direct !== 'refused_token') return direct;
  }
  const response = await sdk().actions.v2.batch.make({
    calls: Object.fromEntries(Object.entries(commands)),
    options: { isHaltOnError: false, returnAjaxResult: true },
  });
  const rows = response.getData();
  const byKey: Record<string, unknown> = rows && typeof rows === 'object' ? { ...rows } : {};
  return new Map(Object.keys(commands).map((key) => [key, rawRowAnswer(byKey[key])]));
}
