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
