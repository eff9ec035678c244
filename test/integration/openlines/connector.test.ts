import { attachLine, detachLine, setUpConnector } from '../../../openlines/attach-line';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { switchConnectorOff } from '../../../simulators/bitrix24/methods/imconnector';
import { injectRestFault } from '../../../simulators/bitrix24/rest-faults';
import { createRegisteredHarness, eventually, type Harness, LINE } from '../../helpers/harness';
import { jobLog } from '../../helpers/signals';
import { addSecondLine, CHAT_ID, CUSTOMER } from './openline-helpers';

describe('open-line connector: register, activate, data.set', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createRegisteredHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const connector = () => h.portal.state.openLines.connectors.get(CONNECTOR_ID);
  const status = (line: number) => h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|${line}`);

  it('install registers the connector with its settings placement and binds its events', async () => {
    const registered = await eventually(connector, 10_000, 'imconnector.register');
    expect(registered.placementHandler).toBe(`${h.rt.publicUrl}/b24/openlines/settings`);
    expect(registered.name).toBe('WhatsApp (robots)');
    expect(registered.fields.CHAT_GROUP).toBe(false);
    const events = h.portal.eventBindings().map((b) => b.event);
    expect(events).toEqual(expect.arrayContaining(['ONIMCONNECTORMESSAGEADD', 'ONIMCONNECTORSTATUSDELETE']));
  });

  it('attach runs activate, data.set, then status once; detach switches it off; re-install applies it again', async () => {
    await eventually(connector, 10_000, 'imconnector.register');
    h.portal.addOpenLine(3);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '3');
    expect(status(3)).toMatchObject({ active: true, calls: ['activate', 'data.set', 'status'] });
    expect(status(3)?.data).toMatchObject({ ID: 'main', NAME: 'WhatsApp: Main line' });
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toMatchObject({ openLineId: '3' });

    // A re-install loses the portal's connector state; the app applies the attachment again.
    h.portal.state.openLines.connectors.clear();
    h.portal.state.openLines.statuses.clear();
    const again = await h.portal.installApp({ installUrl: `${h.appUrl}/b24/install` });
    expect(again.status).toBe(200);
    await eventually(() => status(3)?.calls.join(',') === 'activate,data.set,status', 15_000, 're-applied attachment');
    expect(connector()).toBeDefined();

    expect(await detachLine(h.rt.openLineSetup, h.memberId, 'main')).toMatchObject({ openLineId: '3' });
    expect(status(3)).toMatchObject({ active: false, data: {} });
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toBeNull();
  });

  it('refuses an open line that does not exist, and a second WhatsApp line on a served open line', async () => {
    await eventually(connector, 10_000, 'imconnector.register');
    await expect(attachLine(h.rt.openLineSetup, h.memberId, 'main', '9')).rejects.toMatchObject({
      code: 'NOT_ACTIVE_LINE',
    });
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toBeNull();
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    await addSecondLine(h);
    await expect(attachLine(h.rt.openLineSetup, h.memberId, 'second', '1')).rejects.toMatchObject({
      code: 'open_line_taken',
    });
  });

  it('ONIMCONNECTORLINEDELETE (a scalar data=<line>) forgets the attachment; a wrong application token changes nothing', async () => {
    await eventually(connector, 10_000, 'imconnector.register');
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    const post = (token: string) =>
      fetch(`${h.appUrl}/b24/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          event: 'ONIMCONNECTORLINEDELETE',
          data: '1',
          'auth[member_id]': h.memberId,
          'auth[application_token]': token,
        }),
      });
    expect((await post('not-the-token')).status).toBe(401);
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).not.toBeNull();
    const deleted = await post(h.portal.currentTokens().applicationToken);
    expect(await deleted.json()).toEqual({ result: 'detached' });
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toBeNull();
  });

  it('ONIMCONNECTORSTATUSDELETE pauses the attachment: customers are not relayed and a re-install does not switch it on', async () => {
    await eventually(connector, 10_000, 'imconnector.register');
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    // An admin switches it off in Contact Center: the event pauses it, and the portal confirms it (the check).
    const check = await jobLog(h, h.rt.queues.portalSetup);
    await switchConnectorOff(h.portal.state, CONNECTOR_ID, 1, 'admin-off');
    expect(h.portal.state.openLines.switchOffEvents).toEqual([{ connector: CONNECTOR_ID, line: 1, statuses: [200] }]);
    expect(await check.completed(1, 'the switch-off check')).toEqual(['off']);
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toMatchObject({ openLineId: '1', active: false });

    const inbound = await jobLog(h, h.rt.queues.inbound);
    await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      message: { type: 'text', text: 'Hi' },
    });
    await inbound.completed(1, 'the inbound message processed');
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);

    const calls = status(1)?.calls.length ?? 0;
    const setups = await jobLog(h, h.rt.queues.portalSetup);
    await h.portal.installApp({ installUrl: `${h.appUrl}/b24/install` });
    await setups.completed(1, 'the re-install set up');
    expect(status(1)?.calls.length).toBe(calls);

    // Attaching again switches it back on.
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toMatchObject({ active: true });
  });

  it('a re-install applies every attachment it can: one whose open line is gone does not stop the others', async () => {
    await eventually(connector, 10_000, 'imconnector.register');
    h.portal.addOpenLine(3);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '3');
    // A second attachment whose open line the portal no longer has.
    await h.rt.openLines.attach(h.memberId, {
      lineId: 'ghost',
      openLineId: '9',
      relayTaken: false,
      active: true,
      attachedAt: 1,
    });
    await h.rt.lines.add({
      id: 'ghost',
      memberId: h.memberId,
      provider: 'cloud',
      phoneNumberId: '300000000000009',
      accessToken: 'EAAG-ghost',
      name: 'Ghost',
      createdAt: 1,
    });
    h.portal.state.openLines.statuses.clear();
    expect(await setUpConnector(h.rt.openLineSetup, h.memberId, 'update')).toBe(1);
    expect(status(3)).toMatchObject({ active: true });
  });
  it('a re-save failing after its ACTIVE=1 reached the portal: the error stands, a check writes the portal’s on', async () => {
    await eventually(connector, 10_000, 'imconnector.register');
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    const attachment = () => h.rt.openLines.forLine(h.memberId, 'main');
    await switchConnectorOff(h.portal.state, CONNECTOR_ID, 1, 'admin-off');
    await eventually(async () => (await attachment())?.active === false, 15_000, 'the admin’s switch-off checked');
    // The admin saves again to switch it back on; the channel data is refused (the REST limit).
    injectRestFault(h.portal.state, {
      code: 'QUERY_LIMIT_EXCEEDED',
      times: 1,
      method: 'imconnector.connector.data.set',
    });
    const checks = await jobLog(h, h.rt.queues.portalSetup);
    await expect(attachLine(h.rt.openLineSetup, h.memberId, 'main', '1')).rejects.toThrow();
    expect(status(1)?.active).toBe(true);
    expect(await checks.completed(1, 'the failed re-save’s check', 15_000)).toEqual(['on']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: true });
  });
});
