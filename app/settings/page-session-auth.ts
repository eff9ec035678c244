import type { RequestHandler, Response } from 'express';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import { type PageSession, pageSessionSchema, readPageSession } from '../../portals/page-session';

export interface PageSessionAuthDeps {
  pageSessionKey: Buffer;
  clock: Clock;
}

/** The bearer token of a request (header), or of a URL segment where no header can be sent (Bull Board's iframe). */
function bearerOf(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1])
    throw new AppError('page_session_missing', 'Authorization: Bearer <page session> is required', {
      kind: 'unauthorized',
    });
  return match[1];
}

/** Checks the page session (signature, expiry) and keeps its claims for the route. */
export function requirePageSession(deps: PageSessionAuthDeps, from: 'header' | 'path' = 'header'): RequestHandler {
  return (req, res, next) => {
    const token = from === 'header' ? bearerOf(req.headers.authorization) : String(req.params.session ?? '');
    res.locals.session = readPageSession(deps.pageSessionKey, token, deps.clock.now());
    // No cache anywhere: every answer is one user's.
    res.set('Cache-Control', 'no-store');
    next();
  };
}

/** The session `requirePageSession` checked. */
export function sessionOf(res: Response): PageSession {
  const session = pageSessionSchema.safeParse(res.locals.session);
  if (!session.success) throw new AppError('page_session_missing', 'no page session', { kind: 'unauthorized' });
  return session.data;
}

/**
 * The user of the unexpired page session of portal `memberId` a request carries (Authorization:
 * Bearer), if any: the page renewing its session. Not a check that refuses: no session, or one
 * expired, of another portal or not this app's, only means the request proves nothing (undefined).
 */
export function pageSessionUserOf(
  deps: PageSessionAuthDeps,
  header: string | undefined,
  memberId: string,
): number | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  try {
    const session = readPageSession(deps.pageSessionKey, match[1], deps.clock.now());
    return session.memberId === memberId ? session.userId : undefined;
  } catch (error) {
    if (error instanceof AppError) return undefined;
    throw error;
  }
}
