import { bsuidOf } from '../../simulators/whatsapp-cloud/webhook-payloads';
import { GREEN, type GreenApiLine, greenApiHarness } from '../helpers/green-api';
import { eventually, type Harness, LINE } from '../helpers/harness';
import { lineRobotStarter } from '../helpers/line-robots';
import { say, startButtonsWait, tap } from '../helpers/waits';

const MOBILE = '79161234567';
/** A customer who shared no number: WhatsApp names them by their business-scoped user id. */
const HIDDEN = '79165550011';
const HIDDEN_BSUID = bsuidOf(HIDDEN);

// Who a send goes to: a phone property holding several numbers as text is chosen from like a
// multiple field (the first mobile, or where the provider can check, the first with WhatsApp);
// a BSUID customer is sent to by `recipient`, and their replies end the waits opened for them.
describe('recipients', () => {
  let h: Harness;
  let green: GreenApiLine;
  beforeAll(async () => {
    ({ h, green } = await greenApiHarness());
  });
  afterAll(async () => {
    await green.close();
    await h.close();
  });

  // Every run names its line: the Cloud API line `main` or the Green-API one.
  const { start } = lineRobotStarter(() => h, 'main');
  /** A yes/no question on the Cloud API line, waiting for the reply. */
  const confirmButtons = { line: 'main', body: 'Подтвердить?', buttons: ['Да', 'Нет'] };
  const finish = (eventToken: string) => h.portal.waitForRun(eventToken, 10_000);

  it('several numbers as text (Cloud API, cannot check): the first mobile, said in the log', async () => {
    const before = h.whatsapp.sent().length;
    const run = await start('wa_send_text', {
      line: 'main',
      phone: '8 (495) 123-45-67, +7 916 123-45-67',
      text: 'Привет',
    });
    const done = await finish(run.eventToken);
    expect(done.returnValues).toMatchObject({ status: 'sent' });
    expect(
      h.whatsapp
        .sent()
        .slice(before)
        .map((s) => s.to),
    ).toEqual([MOBILE]);
    expect(done.logMessage).toContain('number chosen from 2: 79161234567 (the first mobile)');
  });

  it('several numbers as text (Green-API checks): the first that has WhatsApp', async () => {
    const before = green.sim.sent().length;
    const run = await start('wa_send_text', {
      line: GREEN.lineId,
      phone: '+7 999 000-00-00; +7 916 123-45-67',
      text: 'Привет',
    });
    const done = await finish(run.eventToken);
    expect(done.returnValues).toMatchObject({ status: 'sent' });
    expect(
      green.sim
        .sent()
        .slice(before)
        .map((s) => s.chatId),
    ).toEqual([`${MOBILE}@c.us`]);
    expect(done.logMessage).toContain('number chosen from 2: 79161234567 (the first with WhatsApp)');
    const checks = green.sim.calls().filter((c) => c.method === 'checkWhatsapp');
    expect(checks.slice(-2).map((c) => (c.body as { phoneNumber: number }).phoneNumber)).toEqual([
      79990000000, 79161234567,
    ]);
  });

  it('several numbers, none with WhatsApp: undeliverable, nothing sent', async () => {
    const before = green.sim.sent().length;
    const run = await start('wa_send_text', {
      line: GREEN.lineId,
      phone: '+7 999 000-00-00, +7 999 000 00 00',
      text: 'x',
    });
    const done = await finish(run.eventToken);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'undeliverable' });
    expect(green.sim.sent().length).toBe(before);
  });

  it('a BSUID customer gets the message by `recipient`; their text reply (no number) ends the wait', async () => {
    const before = h.whatsapp.sent().length;
    const run = await start('wa_send_buttons', {
      line: 'main',
      phone: HIDDEN_BSUID,
      body: 'Перенести визит?',
      buttons: ['Да', 'Нет'],
      wait_reply: 'Y',
    });
    const sent = await eventually(() => h.whatsapp.sent().slice(before)[0], 10_000, 'buttons sent');
    expect(sent.body).toMatchObject({ recipient: HIDDEN_BSUID });
    expect(sent.body).not.toHaveProperty('to');
    const reply = await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: HIDDEN,
      omitFrom: true,
      message: { type: 'text', text: 'нет' },
    });
    expect(reply.status).toBe(200);
    const done = await finish(run.eventToken);
    expect(done.returnValues).toMatchObject({
      status: 'answered',
      answer: 'Нет',
      answer_index: '2',
      message_id: sent.wamid,
    });
  });

  it("another customer's text does not end a BSUID customer's wait; their own tap does", async () => {
    const run = await startButtonsWait(h, { phone: HIDDEN_BSUID, properties: confirmButtons });
    const other = await say(h, 'да', { from: '79165550099', omitFrom: true });
    expect(other.status).toBe(200);
    const own = await tap(h, run, 0, 'Да', { from: HIDDEN, omitFrom: true });
    expect(own.status).toBe(200);
    const done = await finish(run.eventToken);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Да', reply_message_id: own.messageId });
  });

  it("a Cloud reply carrying only a BSUID (no `from`) is matched on that id alone: it never takes a number's wait", async () => {
    const run = await startButtonsWait(h, { phone: MOBILE, properties: confirmButtons });
    // Someone else (a forwarded message), known only by their user id, taps the button.
    const stranger = await tap(h, run, 1, 'Нет', { from: '79165550099', omitFrom: true });
    expect(stranger.status).toBe(200);
    const own = await tap(h, run, 0, 'Да', { from: MOBILE });
    expect(own.status).toBe(200);
    const done = await finish(run.eventToken);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Да', reply_message_id: own.messageId });
  });

  it('a BSUID on a provider that sends to numbers only is invalid_phone, naming why', async () => {
    const run = await start('wa_send_text', { line: GREEN.lineId, phone: HIDDEN_BSUID, text: 'x' });
    const done = await finish(run.eventToken);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'invalid_phone' });
    expect(done.logMessage).toContain('green-api sends to phone numbers only');
  });
});
