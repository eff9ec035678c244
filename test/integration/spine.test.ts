import { actions } from '../../actions';
import { createBitrixPortalSimulator } from '../../simulators/bitrix24';
import { defined } from '../helpers/defined';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  createHarness,
  eventually,
  type Harness,
  LINE,
  waitForRegistration,
} from '../helpers/harness';

describe('spine: install → robot call → queue → WhatsApp → event.send', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('registers exactly the catalogue as robots and activities, and binds events', async () => {
    await waitForRegistration(h, actions.length);
    expect(
      h.portal
        .robots()
        .map((r) => r.code)
        .sort(),
    ).toEqual(actions.map((a) => `wa_${a.code}`).sort());
    expect(
      h.portal
        .activities()
        .map((r) => r.code)
        .sort(),
    ).toEqual(actions.map((a) => `wa_${a.code}_bp`).sort());
    for (const robot of h.portal.robots()) expect(robot.useSubscription).toBe('Y');
    expect(
      h.portal
        .eventBindings()
        .map((b) => b.event)
        .sort(),
    ).toEqual([
      'ONAPPUNINSTALL',
      'ONCRMDEALUPDATE',
      'ONCRMDYNAMICITEMUPDATE',
      'ONCRMLEADUPDATE',
      'ONIMCONNECTORLINEDELETE',
      'ONIMCONNECTORMESSAGEADD',
      'ONIMCONNECTORSTATUSDELETE',
    ]);
  });

  it('a re-install updates the registrations instead of failing, and takes the new application token', async () => {
    await waitForRegistration(h, actions.length);
    const before = h.portal.stats().byMethod['bizproc.robot.update'] ?? 0;
    const again = await h.portal.installApp({ installUrl: `${h.appUrl}/b24/install` });
    expect(again.status).toBe(200);
    await eventually(
      () => (h.portal.stats().byMethod['bizproc.robot.update'] ?? 0) >= before + actions.length,
      15_000,
      'updates',
    );
    expect(h.portal.robots()).toHaveLength(actions.length);
    expect((await h.rt.portals.get(h.memberId))?.applicationToken).toBe(again.applicationToken);
  });

  it('sends the text to the Cloud API and returns message_id through bizproc.event.send', async () => {
    await waitForRegistration(h, actions.length);
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { httpStatus, run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'Привет! Hello', phone: '+7 (916) 123-45-67' },
    });
    expect(httpStatus).toBe(200);
    const done = await h.portal.waitForRun(run.eventToken, 15_000);
    const sent = h.whatsapp.sent();
    expect(sent).toHaveLength(1);
    const message = defined(sent[0], 'sent message');
    expect(message.phoneNumberId).toBe(LINE.phoneNumberId);
    expect(message.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '79161234567',
      type: 'text',
      text: { body: 'Привет! Hello', preview_url: false },
    });
    expect(done.returnValues).toMatchObject({ status: 'sent', message_id: message.wamid, error_code: '', error: '' });
    expect(done.logMessage).toContain('+79161234567');
    const stored = await h.rt.messages.get(h.memberId, message.wamid);
    expect(stored).toMatchObject({ status: 'sent', providerMessageId: message.wamid, memberId: h.memberId });
    expect(stored?.sentAt).toBeGreaterThan(0);
    // Trimmed to what later steps read: the status and its time (the key names portal and message).
    expect(Object.keys(await h.redis.hgetall(h.rt.keys.message(h.memberId, message.wamid))).sort()).toEqual(['s', 't']);
  });

  it('a forged install (valid host, made-up tokens) is refused and changes nothing', async () => {
    await waitForRegistration(h, actions.length);
    const before = await h.rt.portals.get(h.memberId);
    const t = h.portal.currentTokens();
    const forged = new URLSearchParams({
      event: 'ONAPPINSTALL',
      'auth[access_token]': 'forged',
      'auth[refresh_token]': 'forged',
      'auth[expires_in]': '3600',
      'auth[domain]': t.domain,
      'auth[client_endpoint]': t.clientEndpoint,
      'auth[server_endpoint]': 'https://evil.example.com/rest/',
      'auth[member_id]': h.memberId,
      'auth[application_token]': 'attacker-known-token',
      'auth[user_id]': '1',
    });
    const response = await fetch(`${h.appUrl}/b24/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: forged,
    });
    expect(response.status).toBe(403);
    expect(await h.rt.portals.get(h.memberId)).toEqual(before);
  });

  it('a portal that moved to a new address is confirmed with the OAuth server; an impostor at another address is refused', async () => {
    await waitForRegistration(h, actions.length);
    await h.rt.portals.update(h.memberId, { clientEndpoint: 'https://old-name.bitrix24.ru/rest/' });
    const moved = await h.portal.installApp({ installUrl: `${h.appUrl}/b24/install` });
    expect(moved.status).toBe(200);
    expect((await h.rt.portals.get(h.memberId))?.clientEndpoint).toBe(h.portal.currentTokens().clientEndpoint);

    const impostor = createBitrixPortalSimulator({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      memberId: h.memberId,
    });
    await impostor.start(0);
    try {
      const before = await h.rt.portals.get(h.memberId);
      const attempt = await impostor.installApp({ installUrl: `${h.appUrl}/b24/install` });
      expect(attempt.status).toBe(403);
      expect(await h.rt.portals.get(h.memberId)).toEqual(before);
    } finally {
      await impostor.stop();
    }
  });
});
