import { gupshupInboundEvent, gupshupWebhookSchema } from '../../../providers/gupshup/gupshup-inbound';

const NOW = 1_764_560_000_000;
const hook = (type: string, payload: Record<string, unknown>) =>
  gupshupWebhookSchema.parse({ app: 'OLChatApp', timestamp: NOW, version: 2, type, payload });
const message = (type: string, payload: Record<string, unknown>, context?: Record<string, string>) =>
  gupshupInboundEvent(
    hook('message', {
      id: 'ABEGkZUTIXZ0Ago6jWqOZm-Sz0WD',
      source: '79161234567',
      type,
      payload,
      sender: { phone: '79161234567', name: 'Иван' },
      ...(context ? { context } : {}),
    }),
    NOW,
  );

// GupShup's v2 callbacks (waba-wire.md §5.4, §5.5) in the Cloud API's shape.
describe('gupshupInboundEvent', () => {
  it('a text: the Cloud API text message, the app name as the line, seconds as the timestamp', () => {
    expect(message('text', { text: 'Привет' })).toEqual({
      key: 'gs:OLChatApp:msg:ABEGkZUTIXZ0Ago6jWqOZm-Sz0WD',
      phoneNumberId: 'OLChatApp',
      kind: 'message',
      contactName: 'Иван',
      event: {
        id: 'ABEGkZUTIXZ0Ago6jWqOZm-Sz0WD',
        from: '79161234567',
        timestamp: '1764560000',
        type: 'text',
        text: { body: 'Привет' },
      },
    });
  });

  it('a list row with postbackText is a list_reply named by it, quoting our message by its GupShup id', () => {
    const event = message(
      'list_reply',
      { title: 'Экспресс', id: 'list1', reply: 'Экспресс 1', postbackText: 'w:abc:1', description: '1–2 дня' },
      { id: 'gBEGkYaYVSEEAgnPFrOLcjkFjL8', gsId: '9b71295f-f7af-4c1f-b2b4-31b4a4867bad' },
    );
    expect(event?.event).toMatchObject({
      type: 'interactive',
      interactive: { type: 'list_reply', list_reply: { id: 'w:abc:1', title: 'Экспресс', description: '1–2 дня' } },
      context: { id: '9b71295f-f7af-4c1f-b2b4-31b4a4867bad' },
    });
  });

  it("a template's quick-reply tap is a Cloud API button message with the payload", () => {
    expect(message('quick_reply', { text: 'Спасибо', type: 'button', postbackText: 'ORDER_A17' })?.event).toMatchObject(
      {
        type: 'button',
        button: { text: 'Спасибо', payload: 'ORDER_A17' },
      },
    );
  });

  it('a file keeps its GupShup link, type and name; a location its coordinates', () => {
    const file = message('file', {
      url: 'https://filemanager.gupshup.io/x',
      contentType: 'application/pdf',
      name: 'a.pdf',
    });
    expect(file?.event).toMatchObject({
      type: 'document',
      document: { url: 'https://filemanager.gupshup.io/x', mime_type: 'application/pdf', filename: 'a.pdf' },
    });
    expect(message('location', { latitude: '55.75', longitude: 37.61 })?.event).toMatchObject({
      type: 'location',
      location: { latitude: 55.75, longitude: 37.61 },
    });
  });

  it('a delivered event is a status of our (GupShup) id; a failed one carries the Meta twin of its code', () => {
    const delivered = gupshupInboundEvent(
      hook('message-event', {
        id: 'gBEGkZkXRDmUAgl5FpzpjNgI5Co',
        gsId: '853bab23-0963-42c7-8436-7fe4f5866c76',
        type: 'delivered',
        destination: '79161234567',
        payload: { ts: '1764560000' },
      }),
      NOW,
    );
    expect(delivered).toMatchObject({
      kind: 'status',
      key: 'gs:OLChatApp:st:853bab23-0963-42c7-8436-7fe4f5866c76:delivered',
      event: { id: '853bab23-0963-42c7-8436-7fe4f5866c76', status: 'delivered', timestamp: '1764560000' },
    });
    const failed = gupshupInboundEvent(
      hook('message-event', {
        id: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35',
        type: 'failed',
        payload: { code: 1002, reason: 'Number Does Not Exists On WhatsApp' },
      }),
      NOW,
    );
    expect(failed?.event).toMatchObject({
      id: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35',
      status: 'failed',
      errors: [{ code: 131026, title: 'GupShup 1002: Number Does Not Exists On WhatsApp' }],
    });
  });

  it('enqueued events, user events and billing are not taken', () => {
    expect(gupshupInboundEvent(hook('message-event', { id: 'x', type: 'enqueued', payload: {} }), NOW)).toBeNull();
    expect(gupshupInboundEvent(hook('user-event', { phone: '79161234567', type: 'opted-in' }), NOW)).toBeNull();
    expect(gupshupInboundEvent(hook('billing-event', {}), NOW)).toBeNull();
  });
});
