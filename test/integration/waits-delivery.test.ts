import { createRegisteredHarness, eventually, type Harness } from '../helpers/harness';
import { jobLog, settled } from '../helpers/signals';
import { allSends, CUSTOMER, customerStatus } from '../helpers/waits';

describe('wait for delivery (wait_for = delivered | read)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createRegisteredHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const sendText = async (properties: Record<string, string>, timeoutDuration?: number) => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const before = h.whatsapp.sent().length;
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'hello', phone: CUSTOMER, ...properties },
      timeoutDuration,
    });
    const sent = await eventually(() => h.whatsapp.sent()[before], 10_000, 'text sent');
    return { run, wamid: sent.wamid, dealId };
  };

  it('wait_for=read is resolved by a read status that arrives without a delivered one', async () => {
    const runs = await jobLog(h, h.rt.queues.runAction);
    const { run, wamid } = await sendText({ wait_for: 'read' });
    // The robot call finished with its wait open, and nothing is in flight: the robot was not resumed at send time.
    expect(await runs.completed(1)).toEqual(['done']);
    await settled(h);
    expect(await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))).toBe(1);
    expect(allSends(h, run.eventToken)).toHaveLength(0);
    await customerStatus(h, wamid, 'read', 1763900900);
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({
      status: 'sent',
      message_id: wamid,
      delivery_status: 'read',
      // In the portal's zone (the simulated profile's offset, +03:00), as Bitrix24 reads datetime values.
      delivered_at: '2025-11-23T15:28:20+03:00',
      read_at: '2025-11-23T15:28:20+03:00',
    });
  });

  it('wait_for=read keeps waiting through delivered', async () => {
    const { run, wamid } = await sendText({ wait_for: 'read' });
    const inbound = await jobLog(h, h.rt.queues.inbound);
    await customerStatus(h, wamid, 'delivered', 1763900800);
    // The delivered status was applied and everything settled: the wait did not end on it.
    expect(await inbound.completed(1)).toEqual(['status_delivered']);
    await settled(h);
    expect(await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))).toBe(1);
    expect(allSends(h, run.eventToken)).toHaveLength(0);
    await customerStatus(h, wamid, 'read', 1763900900);
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ delivery_status: 'read', delivered_at: '2025-11-23T15:26:40+03:00' });
  });

  it('wait_for=delivered is resolved by delivered', async () => {
    const { run, wamid } = await sendText({ wait_for: 'delivered' });
    await customerStatus(h, wamid, 'delivered');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'sent', delivery_status: 'delivered' });
  });

  it('a failed status with 131047 ends the delivery wait with window_closed', async () => {
    h.whatsapp.failAsync({ to: CUSTOMER, code: 131047 });
    const { run } = await sendText({ wait_for: 'delivered' });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ delivery_status: 'failed', error_code: 'window_closed' });
    expect(String(done.returnValues?.error)).toMatch(/send a template first/);
  });

  it('no status in time ends the wait with delivery_status=timeout', async () => {
    const { run } = await sendText({ wait_for: 'delivered' }, 1);
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'sent', delivery_status: 'timeout' });
  });

  it('a stage move ends a robot delivery wait silently', async () => {
    const { run, wamid, dealId } = await sendText({ wait_for: 'read' });
    await eventually(
      async () => (await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))) === 1,
      10_000,
      'delivery wait open',
    );
    await h.portal.moveDeal(dealId, 'WON');
    await eventually(
      async () => (await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))) === 0,
      10_000,
      'wait cancelled',
    );
    const inbound = await jobLog(h, h.rt.queues.inbound);
    await customerStatus(h, wamid, 'read');
    expect(await inbound.completed(1)).toEqual(['status_read']);
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(0);
  });

  it('a failed status also ends a reply wait with status=error', async () => {
    h.whatsapp.failAsync({ to: CUSTOMER, code: 131026 });
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_buttons',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { phone: CUSTOMER, body: 'b', buttons: ['A', 'B'], wait_reply: 'Y' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'undeliverable' });
  });

  it('a deal that moves while the message is being sent: the status does not resume the robot', async () => {
    const { run, wamid, dealId } = await sendText({ wait_for: 'read' });
    await h.portal.moveDeal(dealId, 'WON', { deliverEvent: false });
    const inbound = await jobLog(h, h.rt.queues.inbound);
    await customerStatus(h, wamid, 'read');
    expect(await inbound.completed(1)).toEqual(['status_read']);
    await eventually(async () => (await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))) === 0, 10_000, 'wait ended');
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(0);
  });
});
