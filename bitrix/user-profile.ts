import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { addressRefusalIn, type FetchInit, fetchThrough } from '../lib/connect-guard';
import { AppError } from '../lib/errors/app-error';

/** `profile` (scope basic): the token's own user (portal-ui-wire.md §1.2). ADMIN = `user.admin`. */
const profileSchema = z
  .object({
    ID: z.coerce.number().int().positive(),
    ADMIN: z.union([z.boolean(), z.literal('Y'), z.literal('N')]).transform((v) => v === true || v === 'Y'),
    NAME: z.string().default(''),
    LAST_NAME: z.string().default(''),
    TIME_ZONE: z.string().default(''),
  })
  .loose();

/** The user a page token belongs to, as the portal answered. */
export interface ProfileUser {
  id: number;
  admin: boolean;
  name: string;
  timeZone: string;
}

/**
 * Asks the portal at its STORED REST address who `authId` belongs to. A token the portal does not
 * know (forged, expired, another portal's) and an inactive user (an empty `result`) are refused;
 * an unreachable portal is retryable.
 */
export async function fetchProfile(
  clientEndpoint: string,
  authId: string,
  /**
   * The pool that applies the address policy when connecting (lib/connect-guard.ts); undefined only
   * when ALLOW_PRIVATE_ADDRESSES leaves portals unguarded (the default pool). Required so that a
   * caller cannot forget it: the portal's address is one an installer named.
   */
  dispatcher: Dispatcher | undefined,
): Promise<ProfileUser> {
  let response: Response;
  try {
    const init: FetchInit = {
      method: 'POST',
      body: new URLSearchParams({ auth: authId }),
      signal: AbortSignal.timeout(10_000),
      redirect: 'error',
    };
    response = await fetchThrough(dispatcher, new URL('profile', clientEndpoint), init);
  } catch (error) {
    const refused = addressRefusalIn(error);
    if (refused) throw refused;
    throw new AppError('portal_unavailable', 'the portal could not be reached', { retryable: true, cause: error });
  }
  if (response.status >= 500 || response.status === 503)
    throw new AppError('portal_unavailable', `the portal answered HTTP ${response.status}`, { retryable: true });
  const json: unknown = await response.json().catch(() => null);
  const profile = z.object({ result: profileSchema }).safeParse(json);
  if (!response.ok || !profile.success)
    throw new AppError('page_auth_refused', 'the portal did not confirm the user: open the app from Bitrix24 again', {
      kind: 'unauthorized',
    });
  const p = profile.data.result;
  return { id: p.ID, admin: p.ADMIN, name: `${p.NAME} ${p.LAST_NAME}`.trim(), timeZone: p.TIME_ZONE };
}
