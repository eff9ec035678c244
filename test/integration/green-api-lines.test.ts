import { runLinesCommand } from '../../cli/lines-command';
import { GREEN, type GreenApiLine, greenApiHarness, greenApiRunner } from '../helpers/green-api';
import { eventually, type Harness } from '../helpers/harness';
import { counterValue, jobLog, settled } from '../helpers/signals';
import { CUSTOMER, ordinaryTexts } from '../helpers/waits';

const CHAT = `${CUSTOMER}@c.us`;

// The Green-API line itself: buttons and lists as numbered text, replies and statuses through its
// webhook door, the door's token, and the lines CLI (a re-add's host: green-api-line-hosts.test.ts).
// Each action on the line: actions-green-api.test.ts (whose describe title this file keeps, so every
// test keeps its full name).
describe('actions on a Green-API line', () => {
  let h: Harness;
  let green: GreenApiLine;
  beforeAll(async () => {
    ({ h, green } = await greenApiHarness());
  });
  afterAll(async () => {
    await green.close();
    await h.close();
  });

  const { start, run } = greenApiRunner(
    () => h,
    () => green,
  );

  it.each([
    ['1', 'Yes', '1'],
    ['Yes', 'Yes', '1'],
    ['no', 'No', '2'],
  ])(
    'buttons go as numbered text; the reply %p through the Green-API door resumes the robot',
    async (reply, answer, index) => {
      const before = green.sim.sent().length;
      const started = await start('wa_send_buttons', {
        phone: CUSTOMER,
        body: 'Confirm the visit?',
        buttons: ['Yes', 'No'],
        wait_reply: 'Y',
      });
      const message = await eventually(() => green.sim.sent().slice(before)[0], 10_000, 'numbered text');
      expect(message).toMatchObject({
        method: 'sendMessage',
        body: { chatId: CHAT, message: 'Confirm the visit?\n\n1. Yes\n2. No' },
      });
      const delivered = await green.sim.deliverIncoming({ idInstance: GREEN.idInstance, from: CUSTOMER, text: reply });
      expect(delivered.status).toBe(200);
      const done = await h.portal.waitForRun(started.eventToken, 10_000);
      expect(done.returnValues).toMatchObject({
        status: 'answered',
        answer,
        answer_index: index,
        reply_text: reply,
        reply_message_id: delivered.idMessage,
        message_id: message.idMessage,
      });
    },
  );

  it('lines add --provider green-api stores the line with its own flags, tokens sealed', async () => {
    const out = await runLinesCommand(
      h.rt,
      'add',
      {
        portal: h.memberId,
        provider: 'green-api',
        'id-instance': '1101000002',
        'api-token': 'ga-secret-2',
        'api-url': 'https://1101.api.green-api.com',
        'webhook-token': 'wh-secret-0123456789',
        id: 'green2',
      },
      [],
    );
    expect(out).toContain('/green-api/webhook/green2');
    expect(await h.rt.lines.get(h.memberId, 'green2')).toMatchObject({
      provider: 'green-api',
      phoneNumberId: '1101000002',
      accessToken: 'ga-secret-2',
      apiUrl: 'https://1101.api.green-api.com',
      // The operator's host: outside GREEN_API_HOSTS it keeps the plain pool (lines/provider-for-line.ts).
      apiUrlBy: 'cli',
      webhookToken: 'wh-secret-0123456789',
    });
    const stored = await h.redis.hget(h.rt.keys.lines(h.memberId), 'green2');
    expect(stored).not.toContain('ga-secret-2');
    expect(stored).not.toContain('wh-secret-0123456789');
    await expect(
      runLinesCommand(
        h.rt,
        'add',
        { portal: h.memberId, provider: 'green-api', 'id-instance': '1101000003', 'api-token': 't' },
        [],
      ),
    ).rejects.toThrow(/webhook-token/);
    await h.rt.lines.remove(h.memberId, 'green2');
    await settled(h);
  });

  it('"wait for delivered" completes on a Green-API outgoingMessageStatus webhook', async () => {
    const before = green.sim.sent().length;
    const started = await start('wa_send_text', { phone: CUSTOMER, text: 'Ваш заказ готов', wait_for: 'delivered' });
    const message = await eventually(() => green.sim.sent().slice(before)[0], 10_000, 'text sent');
    const status = await green.sim.deliverStatus({
      idInstance: GREEN.idInstance,
      idMessage: message.idMessage,
      status: 'delivered',
    });
    expect(status.status).toBe(200);
    const done = await h.portal.waitForRun(started.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({
      status: 'sent',
      message_id: message.idMessage,
      delivery_status: 'delivered',
    });
  });

  it('a list goes as numbered rows with descriptions', async () => {
    const r = await run('wa_send_list', {
      phone: CUSTOMER,
      header: 'Доставка',
      body: 'Выберите',
      button: 'Варианты',
      rows: 'Экспресс|1–2 дня\nОбычная',
    });
    expect(r.sent[0]?.body).toEqual({
      chatId: CHAT,
      message: '*Доставка*\n\nВыберите\n\n1. Экспресс — 1–2 дня\n2. Обычная',
    });
  });

  it('an ordinary Green-API message is stored as an ordinary inbound message; duplicates are taken once', async () => {
    const inbound = await jobLog(h, h.rt.queues.inbound);
    const duplicates = await counterValue(h.rt.metrics.webhooks, { outcome: 'duplicate' });
    const first = await green.sim.deliverIncoming({
      idInstance: GREEN.idInstance,
      from: '79035550000',
      text: 'Здравствуйте',
    });
    await green.sim.deliverIncoming({
      idInstance: GREEN.idInstance,
      from: '79035550000',
      text: 'Здравствуйте',
      idMessage: first.idMessage,
    });
    // The door took the repeat as a duplicate; the one job finished and nothing else is in flight.
    expect(await counterValue(h.rt.metrics.webhooks, { outcome: 'duplicate' })).toBe(duplicates + 1);
    expect(await inbound.completed(1, 'ordinary message stored', 5_000)).toEqual(['ordinary']);
    await settled(h);
    expect(await inbound.finished()).toHaveLength(1);
    expect((await ordinaryTexts(h)).filter((t) => t === 'Здравствуйте')).toHaveLength(1);
    // No 24-hour window on this provider: nothing is kept for it.
    expect(await h.redis.exists(h.rt.keys.customerWindow(h.memberId, GREEN.lineId, '79035550000'))).toBe(0);
    expect(await h.redis.hexists(h.rt.keys.windowTracking(h.memberId), GREEN.lineId)).toBe(0);
  });

  it('the Green-API door refuses a wrong or missing webhook token and queues nothing', async () => {
    const counts = await h.rt.queues.inbound.getJobCounts('waiting', 'active', 'completed', 'delayed', 'failed');
    const wrong = await green.sim.deliverIncoming({
      idInstance: GREEN.idInstance,
      from: CUSTOMER,
      text: 'x',
      token: 'not-the-token-at-all',
    });
    const missing = await green.sim.deliverIncoming({
      idInstance: GREEN.idInstance,
      from: CUSTOMER,
      text: 'x',
      token: null,
    });
    expect([wrong.status, missing.status]).toEqual([401, 401]);
    expect(await h.rt.queues.inbound.getJobCounts('waiting', 'active', 'completed', 'delayed', 'failed')).toEqual(
      counts,
    );
  });

  it("lines list shows a line's API host (nothing of its URL but the host) and who set it", async () => {
    await h.rt.lines.add({
      id: 'relay',
      memberId: h.memberId,
      provider: 'green-api',
      phoneNumberId: '1101000004',
      accessToken: 'ga-secret-4',
      apiUrl: 'https://op:url-secret@relay.example.com:8443/green?key=query-secret',
      apiUrlBy: 'cli',
      webhookToken: 'wh-secret-4444444444',
      name: 'Relay',
      // Newer than the harness's lines: the portal's default stays its oldest line.
      createdAt: h.rt.clock.now(),
    });
    const list = await runLinesCommand(h.rt, 'list', { portal: h.memberId }, []);
    expect(list.split('\n')[0]).toBe(
      'portal\tline\tprovider\tphone_number_id\tname\trate\tapi_host\tapi_host_by\thealth',
    );
    expect(list).toContain('\trelay\tgreen-api\t1101000004\tRelay\t80/s\trelay.example.com:8443\tcli\t');
    // A Cloud line has no host of its own.
    expect(list).toMatch(/\tmain\tcloud\t.*\t-\t-\t/);
    for (const secret of ['url-secret', 'query-secret', 'ga-secret-4', 'wh-secret-4444444444'])
      expect(list).not.toContain(secret);
    await h.rt.lines.remove(h.memberId, 'relay');
  });
});
