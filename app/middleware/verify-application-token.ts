import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../../lib/errors/app-error';
import { safeEqual } from '../../lib/hash';
import type { Portal, PortalStore } from '../../store/portal-store';

const authSchema = z
  .object({ auth: z.object({ member_id: z.string().min(1), application_token: z.string().min(1) }).loose() })
  .loose();

/**
 * Checks `auth[application_token]` against the token stored at install for `auth[member_id]`
 * (timing-safe). Unknown portal or wrong token: 401, nothing else happens.
 */
export async function verifyApplicationToken(req: Request, portals: Pick<PortalStore, 'get'>): Promise<Portal> {
  const parsed = authSchema.safeParse(req.body);
  if (!parsed.success) {
    throw new AppError('NO_AUTH_FOUND', 'auth[member_id] and auth[application_token] are required', {
      kind: 'unauthorized',
    });
  }
  const portal = await portals.get(parsed.data.auth.member_id);
  if (!portal || !safeEqual(portal.applicationToken, parsed.data.auth.application_token)) {
    throw new AppError('invalid_application_token', 'unknown portal or wrong application token', {
      kind: 'unauthorized',
    });
  }
  return portal;
}
