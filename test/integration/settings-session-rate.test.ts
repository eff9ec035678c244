import { SESSION_REQUEST_LIMITS } from '../../app/settings/session-rate-limit';
import type { PageOpening } from '../../simulators/bitrix24/app-page';
import { createHarness, type Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { forgeSessionRequests, openPageFrom, requestSession } from '../helpers/settings-page';

const { perAddress, perPortal } = SESSION_REQUEST_LIMITS;

describe("settings page: the session door's request limits", () => {
  let h: Harness;
  let clock: ManualClock;
  let authId: string;
  let opening: PageOpening;
  beforeAll(async () => {
    clock = createManualClock(Date.now());
    h = await createHarness({ clock });
    // These tests spend more profile calls in seconds than a portal's REST budget holds (the
    // manual clock moves the app's windows, not the simulator's bucket): the budget is not under test here.
    h.portal.setRestLimit({ drainPerSec: 2, burst: 500 });
    opening = h.portal.pageOpening({ url: `${h.appUrl}/b24/settings`, lang: 'ru' });
    authId = String(opening.fields.AUTH_ID);
  });
  afterAll(async () => h.close());

  /** One session request from `address` (X-Forwarded-For from loopback: trusted). */
  const session = async (address: string, memberId = h.memberId, lang = 'ru') =>
    requestSession(h, address, { member_id: memberId, AUTH_ID: authId, LANG: lang });
  /** One page opening (the portal's frame POST) from `address`. */
  const openPage = async (address: string) => openPageFrom(opening, address);
  const times = async (n: number, address: string, lang = 'ru') => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i += 1) statuses.push((await session(address, h.memberId, lang)).status);
    return statuses;
  };
  /**
   * Takes the portal's whole window with forged requests (a token the portal refuses) from addresses
   * `<prefix>.1`, `.2`… (each under its own limit): a client whose token the portal accepts becomes
   * known to it and no longer counts there (settings-session-known.test.ts).
   */
  const fillPortalWindow = async (prefix: string, lang = 'ru') => {
    const count = perPortal.limit;
    const statuses = await forgeSessionRequests(h, { prefix, count, perClient: perAddress.limit - 1, lang });
    expect(statuses).toEqual(Array(count).fill(401));
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
    await fillPortalWindow('198.51.100');
    const refused = await session('192.0.2.1');
    expect(refused).toMatchObject({ status: 429, retryAfter: String(perPortal.windowMs / 1000) });
    expect(refused.body).toMatchObject({ error: { code: 'rate_limited' } });
    // A portal that is not installed gets its own answer (403), not this portal's limit.
    expect((await session('192.0.2.1', 'other-portal')).status).toBe(403);
    clock.advance(perPortal.windowMs);
    expect((await session('192.0.2.1')).status).toBe(200);
  });

  it('a LANG the door does not take still leaves the portal named: its window holds', async () => {
    clock.advance(perPortal.windowMs);
    await fillPortalWindow('198.51.100', 'x'.repeat(12));
    const refused = await session('192.0.2.2', h.memberId, 'x'.repeat(12));
    // No language taken: the refusal is told in the default one.
    expect(refused).toMatchObject({
      status: 429,
      body: { error: { code: 'rate_limited', message: 'Too many requests: retry later' } },
    });
  });

  it('a page opening makes the same profile call: it takes the same windows, refused as the error page', async () => {
    clock.advance(perPortal.windowMs);
    // One address: page openings and session requests share its window.
    const half = perAddress.limit / 2;
    for (let i = 0; i < half; i += 1) expect((await openPage('203.0.113.7')).status).toBe(200);
    expect(await times(half, '203.0.113.7')).toEqual(Array(half).fill(200));
    const refused = await openPage('203.0.113.7');
    expect(refused).toMatchObject({ status: 429, retryAfter: String(perAddress.windowMs / 1000) });
    expect(refused.boot).toMatchObject({ lang: 'ru', error: 'Слишком много запросов: повторите позже' });
    expect(refused.boot.token).toBeUndefined();
    // One portal: once session requests have taken its window, a page opening from anywhere is refused too.
    clock.advance(perAddress.windowMs);
    await fillPortalWindow('198.51.101');
    expect(await openPage('192.0.2.3')).toMatchObject({ status: 429, retryAfter: String(perPortal.windowMs / 1000) });
    clock.advance(perPortal.windowMs);
    expect((await openPage('192.0.2.3')).status).toBe(200);
  });
});
