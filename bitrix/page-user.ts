import { z } from 'zod';
import { AppError } from '../lib/errors/app-error';
import type { Portal } from '../store/portal-store';

/** Who opened an app page (a placement), as the portal itself says. */
export interface PageUser {
  userId: string;
  admin: boolean;
}

const profileSchema = z.object({ result: z.object({ ID: z.coerce.string(), ADMIN: z.boolean().optional() }).loose() });

/**
 * Verifies the token a placement POSTed (AUTH_ID) by calling `profile` with it at the portal's
 * STORED REST address — never the address the request names — so a forged page request cannot
 * choose which server vouches for it. Null when the portal does not accept the token.
 * (One small function on purpose: the settings pages' shared page-auth module replaces it at merge.)
 */
export async function verifyPageUser(portal: Pick<Portal, 'clientEndpoint'>, authId: string): Promise<PageUser | null> {
  if (!authId || !/^[A-Za-z0-9._-]+$/.test(authId)) return null;
  let response: Response;
  try {
    response = await fetch(`${portal.clientEndpoint}profile.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: authId }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new AppError('portal_unavailable', "the portal's REST address did not answer", {
      retryable: true,
      cause: error,
    });
  }
  if (response.status >= 500)
    throw new AppError('portal_unavailable', `profile answered HTTP ${response.status}`, { retryable: true });
  const profile = profileSchema.safeParse(await response.json().catch(() => null));
  if (!response.ok || !profile.success) return null;
  return { userId: profile.data.result.ID, admin: profile.data.result.ADMIN === true };
}
