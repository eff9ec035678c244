/** Helpers of the Green-API simulator's answers. */

/** The JSON body of a request, or undefined when empty or not JSON. */
export function parseJson(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Green-API-like default answers for injected statuses (common-errors page). */
export function defaultErrorBody(status: number): unknown {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 429) return 'Too Many Requests';
  if (status === 466)
    return {
      correspondentsStatus: {
        description: 'The limit of correspondents on the tariff has been reached',
        correspondents: ['79000000000@c.us'],
      },
    };
  if (status >= 500) return 'Bad Gateway';
  return { code: status, description: 'bad request data' };
}
