import { Agent, type Dispatcher, request } from 'undici';
import { z } from 'zod';
import { addressRefusalIn, poolClosedIn } from '../lib/connect-guard';
import { errorMessage } from '../lib/errors/classify-error';
import { CENSOR } from '../lib/logger';
import type { Portal } from '../store/portal-store';
import { batchRow } from './batch-encode';
import { ADDRESS_REFUSED, BitrixError } from './bitrix-error';

/**
 * `batch` posted by the app itself rather than through b24jssdk: the SDK builds a client per call,
 * redacts and serialises every request and answer for its (silent) log and encodes each row with
 * `qs`; on the callback path that was ~10 % of a worker's CPU per sent message (issue 10). The
 * request is the one the SDK sends (a JSON body: `cmd` rows `method?query` encoded as the SDK's
 * `qs` encodes them (batch-encode.ts), `halt`, `auth`). Every batch goes this way: a token near
 * its expiry or refused by the portal is refreshed here and the batch posted once more, each
 * post with its own slot of the portal's REST bucket.
 */

/** The pool of a caller that passes none (tests without a runtime): the runtime passes its own, guarded or not. */
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

/** As b24jssdk's client waits for an answer. */
const TIMEOUT_MS = 30_000;

/** The largest answer read: 50 rows of callbacks are a few KB; a page this size is no portal's. */
export const MAX_ANSWER_BYTES = 5 * 1024 * 1024;

/** The body as text, or a BitrixError once it passes `maxBytes` (the rest is not read). */
export async function readCapped(body: AsyncIterable<Uint8Array>, maxBytes: number, status: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes)
      throw new BitrixError('ERR_BAD_RESPONSE', `the answer is larger than ${maxBytes} bytes`, status, 'batch');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * What of a non-JSON answer (a proxy's or WAF's page, which may echo the request) goes into an
 * error and so into logs: 120 characters, one line, token-like values redacted.
 */
export function answerExcerpt(text: string): string {
  return text
    .slice(0, 400)
    .replace(/\s+/g, ' ')
    .replace(
      /((?:auth|access_token|refresh_token|token|password|secret)["']?\s*[=:]\s*["']?)[^\s&"',;<]+/gi,
      `$1${CENSOR}`,
    )
    .slice(0, 120);
}

/** Rows by key (or, for a list of commands, by index); a loose object reads a JSON object as z.record does, without rebuilding it key by key. */
const rowsSchema = z.union([z.looseObject({}), z.array(z.unknown())]);
const batchAnswerSchema = z.object({
  result: z.object({ result: rowsSchema.optional(), result_error: rowsSchema.optional() }),
});
const errorAnswerSchema = z.object({
  error: z.union([z.string(), z.number()]),
  error_description: z.string().optional(),
});
/** One row's error (built once: a schema made per row was a visible cost of a 50-row answer). */
const rowErrorSchema = errorAnswerSchema.partial();

const REFUSED_TOKEN_CODES = new Set(['expired_token', 'invalid_token']);

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
  /** undefined: the module's own unguarded pool (ALLOW_PRIVATE_ADDRESSES). */
  dispatcher: Dispatcher | undefined,
): Promise<Map<string, BatchRowAnswer> | 'refused_token'> {
  const url = `${endpoint.replace(/\/+$/, '')}/batch`;
  let status: number;
  let text: string;
  try {
    const answer = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'b24-whatsapp-robots' },
      body: JSON.stringify({ cmd: rows, halt: 0, auth: accessToken }),
      dispatcher: dispatcher ?? agent,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    status = answer.statusCode;
    text = await readCapped(answer.body, MAX_ANSWER_BYTES, status);
  } catch (error) {
    if (error instanceof BitrixError) throw error;
    const refused = addressRefusalIn(error);
    if (refused) throw new BitrixError(ADDRESS_REFUSED, refused.message, 0, 'batch', { cause: refused });
    // Still a retryable network error, with the PoolClosedError (nothing sent) kept as its cause.
    const closed = poolClosedIn(error);
    if (closed) throw new BitrixError('NETWORK_ERROR', closed.message, 0, 'batch', { cause: closed });
    const timedOut = error instanceof Error && /timeout/i.test(error.message);
    if (timedOut) throw new BitrixError('REQUEST_TIMEOUT', 'Request timeout exceeded', 408, 'batch');
    throw new BitrixError('NETWORK_ERROR', errorMessage(error), 0, 'batch');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const failure = errorAnswerSchema.safeParse(body);
  // The SDK's rule (`_isAuthError`): only these two mean "refresh and try again"; any other 401 is final.
  if (status === 401 && failure.success && REFUSED_TOKEN_CODES.has(String(failure.data.error))) return 'refused_token';
  if (status !== 200 || failure.success) {
    if (failure.success)
      throw new BitrixError(String(failure.data.error), failure.data.error_description ?? '', status, 'batch');
    // What the SDK's client (axios) names an answer that is no portal's JSON.
    const code = status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST';
    throw new BitrixError(code, answerExcerpt(text), status, 'batch');
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

/** A token this close to its expiry is refreshed before the call. */
export const TOKEN_MARGIN_MS = 60_000;

/** What `batchAnswers` needs of the portal client: its tokens' refresh and its REST bucket. */
export interface BatchPostDeps {
  /** Fresh tokens for the portal, `failedAccessToken` being the one that no longer does. */
  refresh(failedAccessToken: string): Promise<Pick<Portal, 'clientEndpoint' | 'accessToken'>>;
  /** One more slot of the portal's REST bucket (the first post's slot the caller took). */
  takeSlot(): Promise<void>;
  /** The runtime's pool (guarded: it applies the address policy when connecting); default: the module's own, unguarded. */
  dispatcher: Dispatcher | undefined;
}

/** The row error of a command no portal parameter can encode: that row's own, never retried. */
export const ENCODING_ERROR = 'ERR_PARAMS_ENCODING';

/**
 * Each row's answer. The token is refreshed first when it is near its expiry; a token the portal
 * refuses is refreshed and the batch posted once more (a second refusal throws `expired_token`).
 * A command that cannot be encoded answers ENCODING_ERROR for its own row; the others are sent.
 */
export async function batchAnswers(
  deps: BatchPostDeps,
  portal: Pick<Portal, 'expiresAt' | 'clientEndpoint' | 'accessToken'>,
  commands: Record<string, [method: string, params: Record<string, unknown>]>,
  now: number,
): Promise<Map<string, BatchRowAnswer>> {
  const rows: Record<string, string> = {};
  const unencodable = new Map<string, BatchRowAnswer>();
  for (const [key, [method, params]] of Object.entries(commands)) {
    try {
      rows[key] = batchRow(method, params);
    } catch (error) {
      unencodable.set(key, { error: ENCODING_ERROR, error_description: errorMessage(error) });
    }
  }
  if (Object.keys(rows).length === 0) return unencodable;
  let tokens: Pick<Portal, 'clientEndpoint' | 'accessToken'> = portal;
  if (portal.expiresAt <= now + TOKEN_MARGIN_MS) tokens = await deps.refresh(portal.accessToken);
  let answers = await postBatch(tokens.clientEndpoint, tokens.accessToken, rows, deps.dispatcher);
  if (answers === 'refused_token') {
    tokens = await deps.refresh(tokens.accessToken);
    await deps.takeSlot();
    answers = await postBatch(tokens.clientEndpoint, tokens.accessToken, rows, deps.dispatcher);
    if (answers === 'refused_token')
      throw new BitrixError('expired_token', 'the portal refused a freshly refreshed token', 401, 'batch');
  }
  for (const [key, answer] of unencodable) answers.set(key, answer);
  return answers;
}
