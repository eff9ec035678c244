import { CONNECTOR_ID } from '../../../openlines/connector';
import { createRegisteredHarness, eventually, type Harness } from '../../helpers/harness';

describe('open lines: the connector settings placement (SETTING_CONNECTOR)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createRegisteredHarness();
    await eventually(() => h.portal.state.openLines.connectors.get(CONNECTOR_ID), 10_000, 'connector');
    h.portal.addOpenLine(5, 'Sales');
  });
  afterEach(async () => {
    await h.close();
  });

  const open = (authId: string, extra: Record<string, string> = {}) =>
    fetch(`${h.appUrl}/b24/openlines/settings?LANG=en`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        AUTH_ID: authId,
        member_id: h.memberId,
        PLACEMENT: 'SETTING_CONNECTOR',
        PLACEMENT_OPTIONS: JSON.stringify({ CONNECTOR: CONNECTOR_ID, LINE: '5', ACTIVE_STATUS: false }),
        ...extra,
      }),
    });

  it('an administrator sees the state and attaches a line (activate, data.set, then status)', async () => {
    const admin = h.portal.userToken(3, true);
    const first = await open(admin);
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html).toContain('No WhatsApp line serves open line 5 yet.');
    expect(html).toContain('<option value="main"');
    const attached = await open(admin, { attach: 'main' });
    expect(attached.status).toBe(200);
    expect(await attached.text()).toContain('Open line 5 is served by the WhatsApp line &quot;Main line&quot;.');
    expect(h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|5`)?.calls).toEqual([
      'activate',
      'data.set',
      'status',
    ]);
  });

  it('a user who is not an administrator sees the state only; a token the portal does not know sees nothing', async () => {
    const user = h.portal.userToken(9, false);
    const page = await open(user);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Only a portal administrator can change this.');
    expect(html).not.toContain('<form');
    expect((await open(user, { attach: 'main' })).status).toBe(403);
    expect(await h.rt.openLines.forOpenLine(h.memberId, '5')).toBeNull();
    expect((await open('forged-token')).status).toBe(403);
  });
});
