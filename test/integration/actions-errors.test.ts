import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { CUSTOMER } from '../helpers/waits';

const template = {
  code: 'wa_send_template',
  properties: { phone: CUSTOMER, template: 'order_ready', body_params: 'Анна' },
};
const location = {
  code: 'wa_send_location_bp',
  properties: { phone: CUSTOMER, latitude: '55.75', longitude: '37.61' },
};
const file = { code: 'wa_send_file', properties: { phone: CUSTOMER, files: 'https://files.example.com/a.pdf' } };

describe('Cloud API errors reach the robot mapped, without retries of permanent ones', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRegisteredHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    [131047, 'window_closed', location],
    [190, 'line_auth_failed', file],
    [131026, 'undeliverable', location],
    [131051, 'unsupported_message', file],
    [100, 'invalid_parameter', location],
    [132000, 'template_params_mismatch', template],
    [132001, 'template_not_found', template],
    [368, 'account_blocked', file],
    [131031, 'account_locked', file],
    [131048, 'spam_rate_limited', location],
    [131049, 'marketing_limit', template],
    [131050, 'marketing_opted_out', template],
    [131052, 'media_download_failed', file],
    [131053, 'media_upload_failed', file],
    [132005, 'template_text_too_long', template],
    [132007, 'template_policy_violation', template],
    [132008, 'template_param_format', template],
    [132012, 'template_param_type', template],
    [132015, 'template_paused', template],
    [132016, 'template_disabled', template],
    [132068, 'flow_blocked', template],
  ])('code %p → %s', async (code, errorCode, call) => {
    const before = h.whatsapp.attempts().length;
    h.whatsapp.failNext({ code });
    const documentId: [string, string, string] = [
      'crm',
      'CCrmDocumentDeal',
      `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`,
    ];
    const { run } = await h.portal.runRobot({ code: call.code, documentId, properties: call.properties });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: errorCode, message_id: '' });
    expect(done.logMessage).toContain(`error ${errorCode}`);
    expect(h.whatsapp.attempts().length - before).toBe(1);
  });

  it('a throttled second file retries the job without sending the first file again', async () => {
    // One message per second on the simulator: file 2 gets 130429 (retryable), the job runs again,
    // and step 0 is already remembered, so only file 2 goes out on the retry.
    h.whatsapp.setThroughput(1);
    try {
      const before = h.whatsapp.sent().length;
      const attempts = h.whatsapp.attempts().length;
      const documentId: [string, string, string] = [
        'crm',
        'CCrmDocumentDeal',
        `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`,
      ];
      const { run } = await h.portal.runRobot({
        code: 'wa_send_file',
        documentId,
        properties: { phone: CUSTOMER, files: ['https://f.example.com/1.pdf', 'https://f.example.com/2.pdf'] },
      });
      const done = await h.portal.waitForRun(run.eventToken, 20_000);
      const sent = h.whatsapp.sent().slice(before);
      expect(sent.map((s) => (s.body as { document: { link: string } }).document.link)).toEqual([
        'https://f.example.com/1.pdf',
        'https://f.example.com/2.pdf',
      ]);
      expect(
        h.whatsapp
          .attempts()
          .slice(attempts)
          .some((a) => a.errorCode === 130429),
      ).toBe(true);
      expect(done.returnValues).toMatchObject({ status: 'sent', message_ids: sent.map((s) => s.wamid).join(',') });
    } finally {
      h.whatsapp.setThroughput(80);
    }
  });

  it.each([
    [131056, 'pair rate limit'],
    [132069, 'throttled Flow'],
  ])('code %p (%s) is retried: the robot ends sent after a second try', async (code) => {
    const before = h.whatsapp.attempts().length;
    h.whatsapp.failNext({ code, times: 1 });
    const documentId: [string, string, string] = [
      'crm',
      'CCrmDocumentDeal',
      `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`,
    ];
    const { run } = await h.portal.runRobot({ code: location.code, documentId, properties: location.properties });
    const done = await h.portal.waitForRun(run.eventToken, 20_000);
    expect(done.returnValues).toMatchObject({ status: 'sent' });
    const attempts = h.whatsapp.attempts().slice(before);
    expect(attempts.map((a) => a.errorCode ?? null)).toEqual([code, null]);
  });
});
