import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { jobLog, settled } from '../helpers/signals';

const deal = (h: Harness) =>
  ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`] as [string, string, string];

describe('robot handler door', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createRegisteredHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('refuses a forged application token with 401 and queues nothing', async () => {
    const { httpStatus } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'x', phone: '79161234567' },
      tamperApplicationToken: 'f'.repeat(32),
    });
    expect(httpStatus).toBe(401);
    expect(await h.rt.queues.runAction.getJobCounts('waiting', 'active', 'completed', 'delayed', 'failed')).toEqual({
      waiting: 0,
      active: 0,
      completed: 0,
      delayed: 0,
      failed: 0,
    });
    expect(h.whatsapp.sent()).toHaveLength(0);
  });

  it('refuses an unknown portal with 401', async () => {
    const response = await fetch(`${h.appUrl}/b24/robot`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'workflow_id=1&code=wa_send_text&event_token=t&document_id%5B0%5D=crm&document_id%5B1%5D=D&document_id%5B2%5D=DEAL_1&auth%5Bmember_id%5D=nobody&auth%5Bapplication_token%5D=x',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_application_token' });
  });

  it('a repeated call with the same event token queues one job and sends once', async () => {
    const documentId = deal(h);
    const runs = await jobLog(h, h.rt.queues.runAction);
    const first = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId,
      properties: { text: 'once', phone: '79161234567' },
    });
    const again = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId,
      properties: { text: 'once', phone: '79161234567' },
      eventToken: first.run.eventToken,
    });
    expect(again.httpStatus).toBe(200);
    await h.portal.waitForRun(first.run.eventToken, 10_000);
    // The job finished and nothing is left in flight; a second job would still be counted below.
    expect(await runs.completed(1)).toEqual(['done']);
    await settled(h);
    const counts = await h.rt.queues.runAction.getJobCounts('waiting', 'active', 'completed', 'delayed', 'failed');
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(await runs.finished()).toHaveLength(1);
    expect(h.whatsapp.sent()).toHaveLength(1);
  });

  it('an invalid property reaches the robot as status=error naming the field', async () => {
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'x'.repeat(4097), phone: '79161234567' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(String(done.returnValues?.error)).toContain('Text: at most 4096 characters');
    expect(done.logMessage).toContain('Text: at most 4096 characters');
    expect(h.whatsapp.sent()).toHaveLength(0);
  });

  it('a missing required property is named too', async () => {
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text_bp',
      documentId: deal(h),
      properties: { phone: '79161234567' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(String(done.returnValues?.error)).toBe('Invalid property: Text: required');
  });

  it('an invalid phone is refused before any send', async () => {
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'x', phone: '12345' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'invalid_phone' });
    expect(h.whatsapp.attempts()).toHaveLength(0);
  });

  it('a portal with no line gets a clear error in the robot log', async () => {
    await h.rt.lines.remove(h.memberId, 'main');
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'x', phone: '79161234567' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'no_line' });
    expect(done.logMessage).toMatch(/No WhatsApp line is connected/);
  });

  it('takes the recipient from the deal contact (first mobile) when no phone is given', async () => {
    const contactId = h.portal.createContact({
      name: 'Anna',
      phones: [
        { value: '+7 495 123-45-67', valueType: 'WORK' },
        { value: '8 916 765-43-21', valueType: 'MOBILE' },
      ],
    });
    const dealId = h.portal.createDeal({ stageId: 'NEW', contactId });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'hi' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'sent' });
    expect(h.whatsapp.sent()[0]?.body).toMatchObject({ to: '79167654321' });
    expect(done.logMessage).toContain('first mobile of 2 phones');
  });

  it('does not retry a permanent provider error; the robot gets it mapped', async () => {
    h.whatsapp.failNext({ code: 131026 });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'x', phone: '79161234567' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'undeliverable' });
    expect(h.whatsapp.attempts()).toHaveLength(1);
  });

  it('retries transient errors (130429, 131000, HTTP 5xx) and then succeeds', async () => {
    h.whatsapp.failNext({ code: 130429, times: 1 });
    h.whatsapp.failNext({ code: 131000, times: 1 });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'x', phone: '79161234567' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 20_000);
    expect(done.returnValues).toMatchObject({ status: 'sent' });
    expect(h.whatsapp.attempts().length).toBe(3);
    expect(h.whatsapp.sent()).toHaveLength(1);
  });

  it('speaks the portal language in errors', async () => {
    await h.rt.portals.update(h.memberId, { languageId: 'ru' });
    h.whatsapp.failNext({ code: 131047 });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'x', phone: '79161234567' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'window_closed' });
    expect(String(done.returnValues?.error)).toMatch(/24 часов/);
  });

  it('a property chooses the line (by id or name); an unknown line is a clear error', async () => {
    h.whatsapp.addPhoneNumber({
      phoneNumberId: '300000000000003',
      accessToken: 'tok-sales',
      displayPhoneNumber: '79003334455',
    });
    await h.rt.lines.add({
      id: 'sales',
      memberId: h.memberId,
      provider: 'cloud',
      phoneNumberId: '300000000000003',
      accessToken: 'tok-sales',
      name: 'Sales dept',
      createdAt: Date.now() + 1,
    });
    const byName = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'x', phone: '79161234567', line: 'Sales dept' },
    });
    expect((await h.portal.waitForRun(byName.run.eventToken, 10_000)).returnValues).toMatchObject({ status: 'sent' });
    const byDefault = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'y', phone: '79161234567' },
    });
    await h.portal.waitForRun(byDefault.run.eventToken, 10_000);
    expect(h.whatsapp.sent().map((s) => s.phoneNumberId)).toEqual(['300000000000003', '200000000000002']);
    const unknown = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'z', phone: '79161234567', line: 'nope' },
    });
    const done = await h.portal.waitForRun(unknown.run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'unknown_line' });
    expect(String(done.returnValues?.error)).toContain('connected lines: Main line (main), Sales dept (sales)');
  });

  it('a wait longer than 30 days is refused before sending', async () => {
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: deal(h),
      properties: { text: 'x', phone: '79161234567', wait_for: 'read', wait_timeout: '31', wait_timeout_unit: 'days' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(String(done.returnValues?.error)).toContain('Status wait time-out: at most 30 days');
    expect(h.whatsapp.attempts()).toHaveLength(0);
  });
});
