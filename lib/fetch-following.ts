import type { Dispatcher } from 'undici';
import { addressRefusalIn, fetchThrough } from './connect-guard';

/**
 * Why a hand-followed fetch stopped: a hop the address policy refused, too many redirects, or no
 * answer at all. Callers turn it into their own error (the words differ, the rule does not).
 */
export type FollowFailure =
  | { reason: 'refused'; url: URL; refusal: string }
  | { reason: 'too_many_redirects'; max: number }
  | { reason: 'no_answer'; error: unknown };

export class FollowError extends Error {
  constructor(readonly failure: FollowFailure) {
    super(failure.reason);
  }
}

export interface FollowOptions {
  /** Why a URL must not be fetched (the address policy), checked on the first URL and every hop. */
  refusal: (url: string) => Promise<string | undefined>;
  maxRedirects: number;
  /** The abort signal of each request (one shared signal bounds the whole chain). */
  hopSignal: () => AbortSignal;
  /** Adjusts a redirect's target before it is checked and fetched (e.g. which hops carry a token). */
  nextHop?: (url: URL) => void;
  /** The connection pool (connect-guard.ts: refuses a name that resolves to a private address when connecting). */
  dispatcher: Dispatcher | undefined;
}

/**
 * GETs `first`, following redirects by hand (`redirect: 'manual'`): a redirect could point at a
 * private address the policy never saw, so every hop passes the policy. Answers the first response
 * that is not a redirect, with the URL it came from; a redirect's body is discarded.
 */
export async function fetchFollowing(first: URL, o: FollowOptions): Promise<{ response: Response; url: URL }> {
  let url = first;
  for (let hop = 0; ; hop++) {
    const refusal = await o.refusal(url.toString());
    if (refusal) throw new FollowError({ reason: 'refused', url, refusal });
    let response: Response;
    try {
      response = await fetchThrough(o.dispatcher, url, { redirect: 'manual', signal: o.hopSignal() });
    } catch (error) {
      // The name answered the policy a public address and the connection a private one (DNS rebinding).
      const refused = addressRefusalIn(error);
      if (refused) throw new FollowError({ reason: 'refused', url, refusal: refused.message });
      throw new FollowError({ reason: 'no_answer', error });
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location) return { response, url };
    await response.body?.cancel();
    if (hop === o.maxRedirects) throw new FollowError({ reason: 'too_many_redirects', max: o.maxRedirects });
    url = new URL(location, url);
    o.nextHop?.(url);
  }
}
