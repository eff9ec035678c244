import { cloudApiBody } from '../../../providers/cloud-api/cloud-api-body';

/** The wire body as sent (JSON.stringify keeps key order): built by assignment, not by spreads (issue 10). */
describe('cloudApiBody', () => {
  it('writes a text message to a number: base fields first, then the type and its content', () => {
    const body = cloudApiBody({ to: '79161234567', content: { type: 'text', body: 'Hi', previewUrl: true } });
    expect(JSON.stringify(body)).toBe(
      '{"messaging_product":"whatsapp","recipient_type":"individual","to":"79161234567","type":"text","text":{"body":"Hi","preview_url":true}}',
    );
  });

  it('addresses a business-scoped user id as recipient and names the message replied to', () => {
    const body = cloudApiBody({
      to: 'US.13491208655302741918',
      replyTo: 'wamid.1',
      content: { type: 'text', body: 'Hi' },
    });
    expect(JSON.stringify(body)).toBe(
      '{"messaging_product":"whatsapp","recipient_type":"individual","recipient":"US.13491208655302741918","context":{"message_id":"wamid.1"},"type":"text","text":{"body":"Hi","preview_url":false}}',
    );
  });

  it('gives a reaction no reply context, and each call its own object', () => {
    const message = {
      to: '79161234567',
      replyTo: 'wamid.1',
      content: { type: 'reaction' as const, messageId: 'wamid.2', emoji: '👍' },
    };
    const first = cloudApiBody(message);
    expect(first).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '79161234567',
      type: 'reaction',
      reaction: { message_id: 'wamid.2', emoji: '👍' },
    });
    expect(cloudApiBody(message)).not.toBe(first);
  });
});
