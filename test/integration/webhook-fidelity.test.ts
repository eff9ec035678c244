import { actions } from '../../actions';
import { defined } from '../helpers/defined';
import { createHarness, type Harness, LINE, waitForRegistration } from '../helpers/harness';
import { counterValue, jobLog, settled, streamFields } from '../helpers/signals';
import { CUSTOMER, ordinaryTexts, say, startButtonsWait, waitIdOf } from '../helpers/waits';

const NEW_NUMBER = '79169998877';

// What a webhook value carries besides one customer's message: several senders, errors about the
// number or account, and the system notice that the customer changed number.
describe('WhatsApp webhook fidelity', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('names each message of a two-sender value after its own contact', async () => {
    const inbound = await jobLog(h, h.rt.queues.inbound);
    await h.whatsapp.deliverInboundBatch({
      phoneNumberId: LINE.phoneNumberId,
      messages: [
        { from: '79161234567', name: 'Иван', message: { type: 'text', text: 'от Ивана' } },
        { from: '79167654321', name: 'Мария', message: { type: 'text', text: 'от Марии' } },
      ],
    });
    expect(await inbound.completed(2)).toEqual(['ordinary', 'ordinary']);
    const entries = await h.redis.xrange(h.rt.keys.inboundStream(h.memberId), '-', '+');
    const byText = entries.map(([, fields]) => {
      const f = streamFields(fields);
      return [f.get('text'), f.get('from'), f.get('name')];
    });
    expect(byText.sort()).toEqual([
      ['от Ивана', '79161234567', 'Иван'],
      ['от Марии', '79167654321', 'Мария'],
    ]);
  });

  it('counts value-level errors by code (wa_webhook_errors_total) instead of dropping them', async () => {
    const inbound = await jobLog(h, h.rt.queues.inbound);
    const delivered = await h.whatsapp.deliverValueErrors({
      phoneNumberId: LINE.phoneNumberId,
      errors: [{ code: 130429 }, { code: 131000 }],
    });
    expect(delivered.status).toBe(200);
    expect((await inbound.completed(2)).sort()).toEqual(['webhook_error:130429', 'webhook_error:131000']);
    const worker = defined(h.workerRuntimes[0], 'worker runtime');
    expect(await counterValue(worker.metrics.webhookErrors, { code: '130429' })).toBe(1);
    expect(await counterValue(worker.metrics.webhookErrors, { code: '131000' })).toBe(1);
    const metrics = await worker.metrics.registry.metrics();
    expect(metrics).toContain('wa_webhook_errors_total{code="130429"} 1');
  });

  it('user_changed_number moves the open wait to the new number: a reply from it resumes the robot', async () => {
    await waitForRegistration(h, actions.length);
    const run = await startButtonsWait(h);
    const waitId = waitIdOf(run);
    const index = h.rt.keys.waitIndex(h.memberId);
    const oldField = h.rt.keys.waitIndexPhoneField('main', CUSTOMER);
    const newField = h.rt.keys.waitIndexPhoneField('main', NEW_NUMBER);
    expect(await h.redis.hget(index, oldField)).toBe(waitId);

    const inbound = await jobLog(h, h.rt.queues.inbound);
    await h.whatsapp.deliverNumberChange({ phoneNumberId: LINE.phoneNumberId, from: CUSTOMER, to: NEW_NUMBER });
    expect(await inbound.completed(1)).toEqual(['number_changed']);
    expect(await h.redis.hget(index, oldField)).toBeNull();
    expect(await h.redis.hget(index, newField)).toBe(waitId);
    // The notice is no answer: nothing was sent back and the robot still waits; the chat gets the notice.
    expect(h.portal.runs().find((r) => r.eventToken === run.eventToken)?.status).toBe('running');
    expect(await ordinaryTexts(h)).toEqual([`User Иван changed from ${CUSTOMER} to ${NEW_NUMBER}`]);

    await say(h, 'Да', { from: NEW_NUMBER });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Да', answer_index: '1' });
    await settled(h);
    // Ending it removed the new number's index entry too: nothing of the wait is left in the index.
    expect(await h.redis.hget(index, newField)).toBeNull();
    expect(await h.redis.hget(index, oldField)).toBeNull();
  });
});
