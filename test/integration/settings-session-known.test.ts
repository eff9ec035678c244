import { clientDigestOf, KNOWN_CLIENT_MS, SESSION_REQUEST_LIMITS } from '../../app/settings/session-rate-limit';
import { PAGE_SESSION_TTL_MS } from '../../portals/page-session';
import type { PageOpening } from '../../simulators/bitrix24/app-page';
import { createHarness, type Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { forgeSessionRequests, openPageFrom, requestSession } from '../helpers/settings-page';

const { perAddress, perPortal, perSessionUser } = SESSION_REQUEST_LIMITS;

describe('settings page: forged requests naming a portal do not keep out the clients it knows', () => {
  let h: Harness;
  let clock: ManualClock;
  let opening: PageOpening;
  beforeAll(async () => {
    clock = createManualClock(Date.now());
    h = await createHarness({ clock });
    // Many profile calls in seconds (the manual clock moves the app's windows, not the simulator's bucket).
    h.portal.setRestLimit({ drainPerSec: 2, burst: 500 });
    opening = h.portal.pageOpening({ url: `${h.appUrl}/b24/settings`, lang: 'en' });
  });
  afterAll(async () => h.close());

  /** The admin's session request from `address` with the token the portal gave them (and the page session a renewal sends). */
  const signIn = async (address: string, session?: string) =>
    requestSession(h, address, { member_id: h.memberId, AUTH_ID: String(opening.fields.AUTH_ID), LANG: 'en' }, session);
  /** Forged requests (refused by the portal: 401) that take what is left of the portal's window (`count`). */
  const floodPortal = async (prefix: string, count = perPortal.limit) => {
    expect(await forgeSessionRequests(h, { prefix, count, perClient: perAddress.limit - 1 })).toEqual(
      Array(count).fill(401),
    );
  };
  const portalFull = { status: 429, retryAfter: String(perPortal.windowMs / 1000) };

  it('an admin who signed in before still opens the page and gets a session; an unknown client is refused 429', async () => {
    // Unknown yet: it takes one request of the portal's window, the forged ones the rest.
    expect(await signIn('203.0.113.10')).toMatchObject({ status: 200, body: { token: expect.any(String) } });
    await floodPortal('198.51.100', perPortal.limit - 1);
    // The portal's window is full: a forged request, and an admin at an address the portal has not seen, wait.
    expect(await forgeSessionRequests(h, { prefix: '198.51.100', count: 1, perClient: 1 })).toEqual([429]);
    expect(await signIn('192.0.2.10')).toMatchObject({
      ...portalFull,
      body: { error: { code: 'rate_limited', message: 'Too many requests: retry later' } },
    });
    // The admin's own address is known to the portal: neither door counts it there.
    expect(await signIn('203.0.113.10')).toMatchObject({ status: 200, body: { token: expect.any(String) } });
    const page = await openPageFrom(opening, '203.0.113.10');
    expect(page.status).toBe(200);
    expect(page.boot.token).toEqual(expect.any(String));
    // Its own address window still bounds it (three requests so far).
    for (let i = 3; i < perAddress.limit; i += 1) expect((await signIn('203.0.113.10')).status).toBe(200);
    expect(await signIn('203.0.113.10')).toMatchObject({ status: 429, retryAfter: String(perAddress.windowMs / 1000) });
  });

  it('an address stays known a month after its last sign-in, then counts in the window again', async () => {
    clock.advance(perAddress.windowMs);
    expect((await signIn('203.0.113.20')).status).toBe(200);
    clock.advance(KNOWN_CLIENT_MS - perPortal.windowMs);
    await floodPortal('198.51.101');
    // A month less a minute on: still known, and this sign-in renews it.
    expect((await signIn('203.0.113.20')).status).toBe(200);
    clock.advance(KNOWN_CLIENT_MS - 1000);
    await floodPortal('198.51.102');
    expect((await signIn('203.0.113.20')).status).toBe(200);
    clock.advance(KNOWN_CLIENT_MS);
    await floodPortal('198.51.103');
    expect(await signIn('203.0.113.20')).toMatchObject(portalFull);
  });

  it('an IPv6 client is one /64: its addresses share one window, and one known mark', async () => {
    clock.advance(perPortal.windowMs);
    // A host picks any address of its /64: each new one is still the same client.
    for (let i = 1; i <= perAddress.limit; i += 1) expect((await signIn(`2001:db8:7:1::${i}`)).status).toBe(200);
    expect(await signIn('2001:db8:7:1:ffff::1')).toMatchObject({
      status: 429,
      retryAfter: String(perAddress.windowMs / 1000),
    });
    clock.advance(perAddress.windowMs);
    await floodPortal('198.51.104');
    // Another address of the /64 (in another spelling) is known to the portal; another /64 is not.
    expect((await signIn('2001:0db8:0007:0001:abcd::2')).status).toBe(200);
    expect(await signIn('2001:db8:7:2::1')).toMatchObject(portalFull);
  });

  it('a page renewing its session passes from a new address, which becomes known; a forged or expired session does not', async () => {
    clock.advance(perPortal.windowMs);
    const session = String((await signIn('203.0.113.30')).body.token);
    await floodPortal('198.51.105', perPortal.limit - 1);
    // The admin's address changed: the portal does not know it, but the page holds its session.
    expect(await signIn('192.0.2.30', session)).toMatchObject({ status: 200, body: { token: expect.any(String) } });
    expect((await signIn('192.0.2.30')).status).toBe(200);
    // A session this app did not sign proves nothing; nor does one that has expired.
    expect(await signIn('192.0.2.31', `${session}x`)).toMatchObject(portalFull);
    clock.advance(PAGE_SESSION_TTL_MS);
    await floodPortal('198.51.106');
    expect(await signIn('192.0.2.32', session)).toMatchObject(portalFull);
  });

  it("a session's renewals from many addresses: its user's window, then the portal's: a leaked one is no unbounded amplifier", async () => {
    clock.advance(perPortal.windowMs);
    // Unknown yet: one request of the portal's window.
    const session = String((await signIn('203.0.113.50')).body.token);
    // Whoever holds the session, from as many addresses as they like (none known): the user's
    // window, then the portal's, then 429 (the portal's wait).
    const addresses = perSessionUser.limit + perPortal.limit - 1;
    for (let i = 1; i <= addresses; i += 1) expect((await signIn(`192.0.2.${100 + i}`, session)).status).toBe(200);
    expect(await signIn('192.0.2.200', session)).toMatchObject({
      ...portalFull,
      body: { error: { code: 'rate_limited' } },
    });
    // A sign-in without the session is not held back by it (the address is known to the portal).
    expect((await signIn('203.0.113.50')).status).toBe(200);
  });

  it("a known address renews with its user's window full: a leaked session does not keep the user out", async () => {
    clock.advance(perPortal.windowMs);
    const session = String((await signIn('203.0.113.70')).body.token);
    // The holder of a leaked session fills the user's window (junk AUTH_IDs: refused, but counted).
    for (let i = 1; i <= perSessionUser.limit; i += 1) {
      const junk = { member_id: h.memberId, AUTH_ID: `junk${i}`, LANG: 'en' };
      expect((await requestSession(h, `198.51.110.${i}`, junk, session)).status).toBe(401);
    }
    await floodPortal('198.51.111', perPortal.limit - 1);
    // The user, from the address the portal knows: renewed, and again with the new session.
    const renewed = await signIn('203.0.113.70', session);
    expect(renewed).toMatchObject({ status: 200, body: { token: expect.any(String) } });
    expect((await signIn('203.0.113.70', String(renewed.body.token))).status).toBe(200);
  });

  it("an unknown address with its user's window full takes from the portal's: refused only when that is full too", async () => {
    clock.advance(perPortal.windowMs);
    // Unknown yet: one request of the portal's window; then the user's window from the known address.
    const session = String((await signIn('203.0.113.80')).body.token);
    for (let i = 1; i <= perSessionUser.limit; i += 1) expect((await signIn('203.0.113.80', session)).status).toBe(200);
    // One place left in the portal's window: a renewal from a new address takes it …
    await floodPortal('198.51.112', perPortal.limit - 2);
    expect((await signIn('192.0.2.80', session)).status).toBe(200);
    // … so the next new address is refused, with the portal's wait.
    expect(await signIn('192.0.2.81', session)).toMatchObject(portalFull);
    // Another user of the portal has a window of their own: renewed from a new address.
    const other = h.portal.pageOpening({ url: `${h.appUrl}/b24/settings`, lang: 'en', userId: 7 });
    const fields = { member_id: h.memberId, AUTH_ID: String(other.fields.AUTH_ID), LANG: 'en' };
    clock.advance(PAGE_SESSION_TTL_MS - 60_000);
    const otherSession = String((await requestSession(h, '203.0.113.81', fields)).body.token);
    for (let i = 1; i <= perSessionUser.limit; i += 1) expect((await signIn('203.0.113.80', session)).status).toBe(200);
    await floodPortal('198.51.113', perPortal.limit - 1);
    expect(await signIn('192.0.2.82', session)).toMatchObject(portalFull);
    expect((await requestSession(h, '192.0.2.83', fields, otherSession)).status).toBe(200);
  });

  it('many tabs of one user renewing at once (after a sleep) all renew, from its known address or a new one', async () => {
    clock.advance(perPortal.windowMs);
    // More tabs than the user's window holds, fewer than an address window.
    const tabs = perSessionUser.limit + 3;
    let sessions: string[] = [];
    for (let tab = 0; tab < tabs; tab += 1) sessions.push(String((await signIn('203.0.113.60')).body.token));
    for (const address of ['203.0.113.60', '192.0.2.60', '203.0.113.60']) {
      clock.advance(PAGE_SESSION_TTL_MS - 60_000);
      const renewed = await Promise.all(sessions.map((session) => signIn(address, session)));
      expect(renewed.map((answer) => answer.status)).toEqual(Array(tabs).fill(200));
      sessions = renewed.map((answer) => String(answer.body.token));
    }
  });

  it("a client's address is keyed with a key of its own, not the page sessions' key", async () => {
    clock.advance(perPortal.windowMs);
    expect((await signIn('203.0.113.40')).status).toBe(200);
    const windowUnder = (key: Buffer) =>
      h.rt.redis.exists(h.rt.keys.sessionRateByAddress(clientDigestOf({ clientAddressKey: key }, '203.0.113.40')));
    expect(h.rt.clientAddressKey.equals(h.rt.pageSessionKey)).toBe(false);
    expect(await windowUnder(h.rt.clientAddressKey)).toBe(1);
    expect(await windowUnder(h.rt.pageSessionKey)).toBe(0);
  });
});
