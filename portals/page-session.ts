import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../lib/errors/app-error';
import { safeEqual } from '../lib/hash';

/** How long a page session lives: the page renews it (re-verified with `profile`) before it ends. */
export const PAGE_SESSION_TTL_MS = 30 * 60_000;

/** Who a page session speaks for: verified with `profile` at the portal's stored address (page-auth.ts). */
export const pageSessionSchema = z.object({
  memberId: z.string().min(1),
  userId: z.number().int().positive(),
  admin: z.boolean(),
  /** The user's name (`profile`): cancel reasons name who cancelled. */
  name: z.string().max(200).default(''),
  /** The catalogue language the page speaks. */
  lang: z.enum(['ru', 'en']),
  /** Expiry, ms of the injected clock. */
  exp: z.number().int(),
});
export type PageSession = z.infer<typeof pageSessionSchema>;

const sign = (key: Buffer, body: string) =>
  createHmac('sha256', key).update(`page-session.${body}`).digest('base64url');

/**
 * A session token for the settings page's own JSON calls (portal-ui-wire.md §1.3): an HMAC over
 * the claims, carried as `Authorization: Bearer` (no cookie: the page lives in a third-party iframe).
 */
export function mintPageSession(key: Buffer, claims: Omit<PageSession, 'exp'>, now: number): string {
  const body = Buffer.from(JSON.stringify({ ...claims, exp: now + PAGE_SESSION_TTL_MS })).toString('base64url');
  return `${body}.${sign(key, body)}`;
}

/** The claims of a token this app minted and that has not expired; anything else is a 401. */
export function readPageSession(key: Buffer, token: string, now: number): PageSession {
  const [body = '', mac = '', ...rest] = token.split('.');
  if (!body || !mac || rest.length || !safeEqual(mac, sign(key, body)))
    throw new AppError('page_session_invalid', 'the page session is not valid: open the app from Bitrix24 again', {
      kind: 'unauthorized',
    });
  const claims = pageSessionSchema.safeParse(safeJson(Buffer.from(body, 'base64url').toString('utf8')));
  if (!claims.success)
    throw new AppError('page_session_invalid', 'the page session is not valid', { kind: 'unauthorized' });
  if (claims.data.exp <= now)
    throw new AppError('page_session_expired', 'the page session has expired: reload the page', {
      kind: 'unauthorized',
    });
  return claims.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A change needs a portal admin (`profile.ADMIN`, the same as `user.admin`); others read. */
export function requireAdmin(session: PageSession): void {
  if (!session.admin)
    throw new AppError('admin_required', 'only a portal administrator can change the settings', {
      kind: 'forbidden',
    });
}
