import { SESSION_REQUEST_LIMITS } from '../../app/settings/session-rate-limit';
import { createHarness, type Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';

const { perAddress, perPortal } = SESSION_REQUEST_LIMITS;

describe("settings page: the session door's request limits", () => {
  let h: Harness;
  let clock: ManualClock;
  let authId: string;
  beforeAll(async () => {
    clock = createManualClock(Date.now());
    h = await createHarness({ clock });
    authId = String(h.portal.pageOpening({ url: `${h.appUrl}/b24/settings` }).fields.AUTH_ID);
  });
  afterAll(async () => h.close());

  /** One session request from `address` (the app trusts the proxy's X-Forwarded-For). */
  const session = async (address: string, memberId = h.memberId) => {
    const response = await fetch(`${h.appUrl}/b24/settings/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address },
      body: JSON.stringify({ member_id: memberId, AUTH_ID: authId, LANG: 'ru' }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
  };
  const times = async (n: number, address: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i += 1) statuses.push((await session(address)).status);
    return statuses;
  };

  it('one client address: its limit in a window, then 429 with Retry-After, until the window has passed', async () => {
    expect(await times(perAddress.limit, '203.0.113.5')).toEqual(Array(perAddress.limit).fill(200));
    const refused = await session('203.0.113.5');
    expect(refused).toEqual({
      status: 429,
      retryAfter: String(perAddress.windowMs / 1000),
      body: { error: { code: 'rate_limited', message: 'Слишком много запросов: повторите позже' } },
    });
    // Another address is not held back.
    expect((await session('203.0.113.6')).status).toBe(200);
    clock.advance(perAddress.windowMs - 1000);
    expect(await session('203.0.113.5')).toMatchObject({ status: 429, retryAfter: '1' });
    clock.advance(1000);
    expect((await session('203.0.113.5')).status).toBe(200);
  });

  it('one portal: its limit over every address, then 429; another portal is not held back', async () => {
    clock.advance(perPortal.windowMs);
    const perClient = perAddress.limit - 1;
    let left = perPortal.limit;
    for (let client = 1; left > 0; client += 1) {
      const n = Math.min(perClient, left);
      expect(await times(n, `198.51.100.${client}`)).toEqual(Array(n).fill(200));
      left -= n;
    }
    const refused = await session('192.0.2.1');
    expect(refused).toMatchObject({ status: 429, retryAfter: String(perPortal.windowMs / 1000) });
    expect(refused.body.error.code).toBe('rate_limited');
    // A portal that is not installed gets its own answer (403), not this portal's limit.
    expect((await session('192.0.2.1', 'other-portal')).status).toBe(403);
    clock.advance(perPortal.windowMs);
    expect((await session('192.0.2.1')).status).toBe(200);
  });
});
