import { z } from 'zod';
import { buildEvent, EVENT_TYPES, eventPayloadSchemas } from '../../../hooks/event-schemas';

describe('outbound event payload schemas', () => {
  it('each type has a JSON Schema (for the OpenAPI document) naming the envelope and its data', () => {
    for (const type of EVENT_TYPES) {
      const schema = z.toJSONSchema(eventPayloadSchemas[type]);
      expect(schema).toMatchObject({
        type: 'object',
        required: ['id', 'type', 'portal', 'line', 'occurred_at', 'data'],
        properties: { type: { const: type }, occurred_at: { format: 'date-time' } },
      });
    }
  });

  it('builds the exact body once (ISO time) and refuses data that does not fit its type', () => {
    const source = { id: 'st.main.wamid.1.read', memberId: 'm1', line: 'main', occurredAt: Date.UTC(2026, 11, 1) };
    const data = { message_id: 'wamid.1', status: 'read', recipient: '7916', error_code: '', error_title: '' } as const;
    const event = buildEvent('message.status', source, data);
    expect(JSON.parse(event.body)).toEqual({
      id: 'st.main.wamid.1.read',
      type: 'message.status',
      portal: 'm1',
      line: 'main',
      occurred_at: '2026-12-01T00:00:00.000Z',
      data,
    });
    // cast: a status outside the enum, as a buggy caller could pass at run time.
    const bad = { ...data, status: 'played' } as unknown as typeof data;
    expect(() => buildEvent('message.status', source, bad)).toThrow(/status/);
  });
});
