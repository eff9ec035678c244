import { type CloudApiSimulator, createCloudApiSimulator } from '../../simulators/whatsapp-cloud';
import { defined } from '../helpers/defined';
import { type Receiver, startReceiver } from './receiver';

const PHONE_ID = '200000000000002';

type Value = Record<string, unknown> & { metadata: unknown };

/** The one `value` of a received webhook body. */
function webhookValue(raw: string): Value {
  // cast: the simulator's own envelope (checked by whatsapp-webhook.test.ts); only the fields asserted below are read.
  const body = JSON.parse(raw) as { entry: Array<{ changes: Array<{ field: string; value: Value }> }> };
  const change = defined(body.entry[0]?.changes[0], 'entry[0].changes[0]');
  expect(change.field).toBe('messages');
  return change.value;
}

// The webhook values beyond one message or status (whatsapp-wire.md §0, §1.9; Meta's system messages reference).
describe('whatsapp cloud simulator: batched senders, system messages, value-level errors', () => {
  let sim: CloudApiSimulator;
  let app: Receiver;
  beforeEach(async () => {
    sim = createCloudApiSimulator({ appSecret: 's3cret' });
    await sim.start(0);
    app = await startReceiver();
    sim.addPhoneNumber({ phoneNumberId: PHONE_ID, accessToken: 'tok', displayPhoneNumber: '79001112233' });
    sim.setWebhook({ url: `${app.url}/wa/webhook` });
  });
  afterEach(async () => {
    await sim.stop();
    await app.stop();
  });

  it('batches two senders in one value: one contact each, named by wa_id and user_id', async () => {
    const res = await sim.deliverInboundBatch({
      phoneNumberId: PHONE_ID,
      messages: [
        { from: '79161234567', name: 'Иван', message: { type: 'text', text: 'Привет' } },
        { from: '79167654321', name: 'Мария', message: { type: 'text', text: 'Здравствуйте' } },
        { from: '79161234567', name: 'Иван', message: { type: 'text', text: 'Ещё' } },
      ],
    });
    expect(res.status).toBe(200);
    const value = webhookValue(defined(app.received[0], 'webhook delivery').raw);
    // casts: the shapes under test; a wrong one fails the assertions that follow.
    const contacts = value.contacts as Array<{ profile: { name: string }; wa_id: string; user_id: string }>;
    expect(contacts.map((c) => [c.wa_id, c.profile.name])).toEqual([
      ['79161234567', 'Иван'],
      ['79167654321', 'Мария'],
    ]);
    const messages = value.messages as Array<{ from: string; from_user_id: string; id: string }>;
    expect(messages.map((m) => m.from)).toEqual(['79161234567', '79167654321', '79161234567']);
    expect(messages.map((m) => m.id)).toEqual(res.messageIds);
    for (const m of messages) {
      expect(contacts.find((c) => c.wa_id === m.from)?.user_id).toBe(m.from_user_id);
    }
  });

  it('a changed number comes as a system message from the old number, without contacts', async () => {
    const res = await sim.deliverNumberChange({
      phoneNumberId: PHONE_ID,
      from: '+7 916 123-45-67',
      to: '79169998877',
      name: 'Иван',
    });
    const value = webhookValue(defined(app.received[0], 'webhook delivery').raw);
    expect(value.contacts).toBeUndefined();
    expect(value.messages).toEqual([
      {
        from: '79161234567',
        id: res.messageId,
        timestamp: expect.stringMatching(/^\d{10}$/),
        type: 'system',
        system: {
          body: 'User Иван changed from 79161234567 to 79169998877',
          wa_id: '79169998877',
          type: 'user_changed_number',
          user_id: expect.stringMatching(/^RU\./),
          previous_user_id: expect.stringMatching(/^RU\./),
        },
      },
    ]);
  });

  it('reports errors at value level with the message errors item shape (integer codes)', async () => {
    await sim.deliverValueErrors({ phoneNumberId: PHONE_ID, errors: [{ code: 130429 }, { code: 131000 }] });
    const value = webhookValue(defined(app.received[0], 'webhook delivery').raw);
    expect(value.metadata).toEqual({ display_phone_number: '79001112233', phone_number_id: PHONE_ID });
    expect(value.messages).toBeUndefined();
    expect(value.errors).toEqual([
      {
        code: 130429,
        title: 'Rate limit hit',
        message: 'Rate limit hit',
        error_data: { details: 'Cloud API message throughput has been reached.' },
      },
      {
        code: 131000,
        title: 'Something went wrong',
        message: 'Something went wrong',
        error_data: { details: 'Message failed to send due to an unknown error.' },
      },
    ]);
  });
});
