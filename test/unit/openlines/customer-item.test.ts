import { createPathSigner } from '../../../lib/signed-url';
import { chatIdOf, connectorName, mediaOf, parseChatId, textOf } from '../../../openlines/customer-item';

describe('customer messages as the open-line chat shows them', () => {
  it('renders reactions, unsupported types and system notices as short notes', () => {
    expect(textOf({ id: 'w', type: 'reaction', reaction: { message_id: 'x', emoji: '👍' } }, 'en')).toBe(
      'Reaction 👍 to a message',
    );
    expect(textOf({ id: 'w', type: 'reaction', reaction: { message_id: 'x' } }, 'ru')).toBe(
      'Реакция на сообщение снята',
    );
    expect(textOf({ id: 'w', type: 'order' }, 'en')).toBe('The customer sent a message this chat cannot show (order)');
    expect(
      textOf(
        { id: 'w', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'r', title: 'Row 2' } } },
        'en',
      ),
    ).toBe('Row 2');
  });

  it('names media files by type and MIME when WhatsApp gives no file name', () => {
    expect(mediaOf({ type: 'audio', audio: { id: '77', mime_type: 'audio/ogg; codecs=opus', voice: true } })).toEqual({
      type: 'audio',
      mediaId: '77',
      name: 'audio-77.ogg',
      caption: undefined,
    });
    expect(mediaOf({ type: 'document', document: { id: '8', filename: 'a/b.pdf', caption: 'c' } })?.name).toBe(
      'a_b.pdf',
    );
    expect(mediaOf({ type: 'text', text: { body: 'x' } })).toBeNull();
  });

  it('keeps profile names the connector takes, and chat ids that name the customer and the line', () => {
    expect(connectorName('Анна 🌸 Петрова-Иванова 123')).toBe('Анна Петрова-Иванова');
    expect(connectorName('A very long name that goes on and on')).toHaveLength(25);
    expect(parseChatId(chatIdOf('79990001122', 'main-2'))).toEqual({ waId: '79990001122', lineId: 'main-2' });
    expect(parseChatId('nope')).toBeNull();
  });
});

describe('signed paths', () => {
  const signer = createPathSigner(Buffer.alloc(32, 7), 3600);
  const now = 1_800_000_000_000;

  it('verify the path and expiry they were signed for, until the expiry', () => {
    const signed = new URL(`https://app${signer.sign('/media/p/l/1/a.png', now)}`);
    const exp = signed.searchParams.get('exp') ?? '';
    const sig = signed.searchParams.get('sig') ?? '';
    expect(Number(exp)).toBe(now / 1000 + 3600);
    expect(signer.verify('/media/p/l/1/a.png', exp, sig, now + 3599_000)).toBe(true);
    expect(signer.verify('/media/p/l/1/a.png', exp, sig, now + 3600_000)).toBe(false);
    expect(signer.verify('/media/p/l/2/a.png', exp, sig, now)).toBe(false);
    expect(signer.verify('/media/p/l/1/a.png', String(Number(exp) + 60), sig, now)).toBe(false);
    expect(signer.verify('/media/p/l/1/a.png', exp, 'AAAA', now)).toBe(false);
  });
});
