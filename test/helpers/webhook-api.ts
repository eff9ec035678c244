import type { Harness } from './harness';

export type ApiAnswer = {
  status: number;
  retryAfter: string | null;
  body: {
    ok: boolean;
    result?: Record<string, unknown>;
    error?: { code: string; message: string; field?: string; message_id?: string };
  };
};

/** Calls a webhook-API method the way an outside system would: GET with a query, POST as JSON or a form. */
export async function callApi(
  baseUrl: string,
  token: string,
  method: string,
  params: Record<string, string | string[] | boolean> = {},
  how: 'get' | 'json' | 'form' = 'get',
): Promise<ApiAnswer> {
  const url = `${baseUrl}/rest/webhook/wa/${encodeURIComponent(token)}/${method}`;
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const v of value) form.append(`${key}[]`, v);
    else form.append(key, String(value));
  }
  const response =
    how === 'get'
      ? await fetch(`${url}?${form}`)
      : await fetch(url, {
          method: 'POST',
          headers: { 'content-type': how === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
          body: how === 'json' ? JSON.stringify(params) : form.toString(),
        });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as ApiAnswer['body'], // the API answers JSON on every path; the tests check its shape
  };
}

/** A token on the harness' line, with limits high enough not to get in a test's way unless given. */
export async function apiToken(
  h: Harness,
  limits: { perWindow?: number; windowMs?: number; checkPhonePerSec?: number } = {
    perWindow: 1000,
    checkPhonePerSec: 1000,
  },
) {
  return h.rt.apiTokens.create({ memberId: h.memberId, lineId: 'main', name: 'test', limits, now: h.rt.clock.now() });
}
