import { AppError } from '../../../lib/errors/app-error';
import { mintPageSession, PAGE_SESSION_TTL_MS, readPageSession, requireAdmin } from '../../../portals/page-session';

const key = Buffer.alloc(32, 7);
const claims = { memberId: 'm1', userId: 5, admin: false, name: 'Olga', lang: 'ru' as const };

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? `${error.code}/${error.kind}` : 'other';
  }
  return 'none';
}

describe('page session', () => {
  it('reads back what it minted until it expires', () => {
    const token = mintPageSession(key, claims, 1_000);
    expect(readPageSession(key, token, 1_000 + PAGE_SESSION_TTL_MS - 1)).toEqual({
      ...claims,
      exp: 1_000 + PAGE_SESSION_TTL_MS,
    });
    expect(codeOf(() => readPageSession(key, token, 1_000 + PAGE_SESSION_TTL_MS))).toBe(
      'page_session_expired/unauthorized',
    );
  });

  it('refuses a token signed with another key, a changed claim and garbage', () => {
    const token = mintPageSession(key, claims, 0);
    expect(codeOf(() => readPageSession(Buffer.alloc(32, 8), token, 0))).toBe('page_session_invalid/unauthorized');
    const [body = '', mac = ''] = token.split('.');
    const forgedBody = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), admin: true }),
    ).toString('base64url');
    expect(codeOf(() => readPageSession(key, `${forgedBody}.${mac}`, 0))).toBe('page_session_invalid/unauthorized');
    expect(codeOf(() => readPageSession(key, 'not-a-token', 0))).toBe('page_session_invalid/unauthorized');
    expect(codeOf(() => readPageSession(key, `${token}.extra`, 0))).toBe('page_session_invalid/unauthorized');
  });

  it('lets only admins change', () => {
    expect(codeOf(() => requireAdmin({ ...claims, exp: 1 }))).toBe('admin_required/forbidden');
    expect(codeOf(() => requireAdmin({ ...claims, admin: true, exp: 1 }))).toBe('none');
  });
});
