import type { Harness } from './harness';

/** What the page's boot script holds. */
export interface PageBootSeen {
  token?: string;
  admin?: boolean;
  queues?: boolean;
  userName?: string;
  timeZone?: string;
  lang: string;
  words: Record<string, string>;
  error?: string;
}

/** The boot JSON inlined in a served settings page. */
export function bootOf(html: string): PageBootSeen {
  const match = /<script id="boot" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('the page has no boot data');
  return JSON.parse(match[1]) as PageBootSeen;
}

/** Opens the settings page as `userId` (the portal's frame POST) and returns its session token. */
export async function openSettings(h: Harness, userId?: number, lang?: 'ru' | 'en'): Promise<PageBootSeen> {
  const page = await h.portal.openPage({ url: `${h.appUrl}/b24/settings`, userId, lang });
  if (page.status !== 200) throw new Error(`settings page answered ${page.status}: ${page.body.slice(0, 200)}`);
  return bootOf(page.body);
}

/** One call of the page's JSON API. */
export async function pageApi(
  h: Harness,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${h.appUrl}/b24/settings/api${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** What the session door answered. */
export interface SessionAnswerSeen {
  status: number;
  retryAfter: string | null;
  body: { token?: string; error?: { code: string; message: string } };
}

/**
 * One session request (the page's `POST /api/session`) from client `address`, told in
 * X-Forwarded-For: the test's own connection comes from loopback, a proxy TRUST_PROXY trusts by default.
 */
export async function requestSession(
  h: Harness,
  address: string,
  fields: { member_id: string; AUTH_ID: string; LANG?: string },
  /** The page session a renewal sends. */
  session?: string,
): Promise<SessionAnswerSeen> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Forwarded-For': address };
  if (session !== undefined) headers.Authorization = `Bearer ${session}`;
  const response = await fetch(`${h.appUrl}/b24/settings/api/session`, {
    method: 'POST',
    headers,
    body: JSON.stringify(fields),
  });
  const body = (await response.json()) as SessionAnswerSeen['body'];
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

/** One page opening (the portal's frame POST of `opening`) from client `address` (as requestSession tells it). */
export async function openPageFrom(
  opening: { url: string; fields: Record<string, string> },
  address: string,
): Promise<{ status: number; retryAfter: string | null; boot: PageBootSeen }> {
  const response = await fetch(opening.url, {
    method: 'POST',
    headers: { 'X-Forwarded-For': address },
    body: new URLSearchParams(opening.fields),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    boot: bootOf(await response.text()),
  };
}

/**
 * `count` forged session requests naming the harness's portal (a token it never issued, which the
 * portal refuses: 401 each) from addresses `<prefix>.1`, `.2`…, `perClient` from each (under their
 * own address window); their statuses.
 */
export async function forgeSessionRequests(
  h: Harness,
  from: { prefix: string; count: number; perClient: number; lang?: string },
): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < from.count; i += 1) {
    const address = `${from.prefix}.${Math.floor(i / from.perClient) + 1}`;
    const fields = { member_id: h.memberId, AUTH_ID: 'forged-token', LANG: from.lang ?? 'en' };
    statuses.push((await requestSession(h, address, fields)).status);
  }
  return statuses;
}
