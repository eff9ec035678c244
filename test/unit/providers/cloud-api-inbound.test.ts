import { cloudApiInboundEvents } from '../../../providers/cloud-api/cloud-api-inbound';
import type { InboundEvent } from '../../../providers/inbound-message';

const metadata = { display_phone_number: '79001112233', phone_number_id: '200000000000002' };

/** A webhook body with one change whose value is `value` (plus metadata unless `bare`). */
function body(value: Record<string, unknown>, bare = false) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '100000000000001',
        changes: [
          { field: 'messages', value: { messaging_product: 'whatsapp', ...(bare ? {} : { metadata }), ...value } },
        ],
      },
    ],
  };
}

function events(json: unknown): InboundEvent[] {
  const parsed = cloudApiInboundEvents(json);
  if (!parsed) throw new Error('not an envelope');
  return parsed;
}

const text = (id: string, from: Record<string, string>) => ({ ...from, id, timestamp: '1763900000', type: 'text' });

describe('cloudApiInboundEvents (whatsapp-wire.md §0, §1.9)', () => {
  it('names each message after its own sender (wa_id = from), not after the first contact', () => {
    const value = {
      contacts: [
        { profile: { name: 'Иван' }, wa_id: '79161234567', user_id: 'RU.1' },
        { profile: { name: 'Мария' }, wa_id: '79167654321', user_id: 'RU.2' },
      ],
      messages: [
        text('wamid.B', { from: '79167654321', from_user_id: 'RU.2' }),
        text('wamid.A', { from: '79161234567', from_user_id: 'RU.1' }),
      ],
    };
    expect(events(body(value)).map((e) => [e.key, e.contactName])).toEqual([
      ['msg:wamid.B', 'Мария'],
      ['msg:wamid.A', 'Иван'],
    ]);
  });

  it('matches by user_id when the number is left out (a username user), and names nobody it cannot match', () => {
    const value = {
      contacts: [
        { profile: { name: 'Иван' }, wa_id: '79161234567', user_id: 'RU.1' },
        { profile: { name: 'anna_k' }, user_id: 'RU.2' },
      ],
      messages: [text('wamid.A', { from_user_id: 'RU.2' }), text('wamid.B', { from: '79990000000' })],
    };
    expect(events(body(value)).map((e) => e.contactName)).toEqual(['anna_k', undefined]);
  });

  it('turns each value-level error into an event of its own (even without metadata), never dropped', () => {
    const errors = [
      { code: 130429, title: 'Rate limit hit', message: 'Rate limit hit', error_data: { details: 'throughput' } },
      { code: 131000, title: 'Something went wrong', message: 'Something went wrong' },
    ];
    const withMetadata = events(body({ errors }));
    expect(withMetadata.map((e) => [e.kind, e.phoneNumberId, e.event])).toEqual([
      ['error', metadata.phone_number_id, errors[0]],
      ['error', metadata.phone_number_id, errors[1]],
    ]);
    // No id or time to deduplicate by: each report is its own event.
    expect(new Set(withMetadata.map((e) => e.key)).size).toBe(2);
    expect(events(body({ errors }, true)).map((e) => [e.kind, e.phoneNumberId])).toEqual([
      ['error', ''],
      ['error', ''],
    ]);
  });

  it('passes a system message on as a message, never named after another sender in the same value', () => {
    const system = {
      body: 'User Иван changed from 79161234567 to 79169998877',
      wa_id: '79169998877',
      type: 'user_changed_number',
    };
    const notice = { from: '79161234567', id: 'wamid.S', timestamp: '1763900000', type: 'system', system };
    const value = {
      // System messages bring no contact of their own; here another sender's message shares the value.
      contacts: [{ profile: { name: 'Мария' }, wa_id: '79167654321', user_id: 'RU.2' }],
      messages: [notice, text('wamid.M', { from: '79167654321', from_user_id: 'RU.2' })],
    };
    expect(events(body(value)).map((e) => [e.kind, e.key, e.contactName])).toEqual([
      ['message', 'msg:wamid.S', undefined],
      ['message', 'msg:wamid.M', 'Мария'],
    ]);
  });
});
