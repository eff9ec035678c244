import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../../lib/errors/app-error';
import type { PortalStore } from '../../store/portal-store';

/** The auth block a Bitrix24 call must carry for its application token to be checked. */
export const applicationAuthSchema = z
  .object({ member_id: z.string().min(1), application_token: z.string().min(1) })
  .loose();

const authSchema = z.object({ auth: applicationAuthSchema }).loose();

/**
 * Checks `auth[application_token]` against the fingerprint of the token stored at install for
 * `auth[member_id]` (timing-safe, nothing decrypted). Unknown portal or wrong token: 401, nothing else happens.
 */
export async function verifyApplicationToken(
  req: Request,
  portals: Pick<PortalStore, 'authenticate'>,
): Promise<{ memberId: string }> {
  const parsed = authSchema.safeParse(req.body);
  if (!parsed.success) {
    throw new AppError('NO_AUTH_FOUND', 'auth[member_id] and auth[application_token] are required', {
      kind: 'unauthorized',
    });
  }
  const { member_id: memberId, application_token: token } = parsed.data.auth;
  if (!(await portals.authenticate(memberId, token))) throw invalidApplicationToken();
  return { memberId };
}

/** The 401 of a call whose portal is unknown or whose application token is wrong. */
export function invalidApplicationToken(): AppError {
  return new AppError('invalid_application_token', 'unknown portal or wrong application token', {
    kind: 'unauthorized',
  });
}
