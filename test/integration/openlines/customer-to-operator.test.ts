import { attachLine } from '../../../openlines/attach-line';
import { eventually, type Harness, LINE } from '../../helpers/harness';
import { acceptedSends, startButtonsWait, tap } from '../../helpers/waits';
import { CHAT_ID, CUSTOMER, chatWith, openLineHarness } from './openline-helpers';

describe('open lines: customer → operator', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openLineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const write = (message: Parameters<Harness['whatsapp']['deliverInbound']>[0]['message'], id?: string) =>
    h.whatsapp.deliverInbound({ phoneNumberId: LINE.phoneNumberId, from: CUSTOMER, name: 'Anna 🌸 K.', message, id });

  it('text, location, contact and a button reply reach the chat in order, with user, phone and wamid', async () => {
    const first = await write({ type: 'text', text: 'Hello, is the sofa in stock?' });
    await write({ type: 'location', latitude: 55.75, longitude: 37.61, name: 'Office', address: 'Tverskaya 1' });
    await write({ type: 'button_reply', id: 'b1', title: 'Yes, deliver' });
    await h.whatsapp.deliverRaw(contactsWebhook());
    const chat = await chatWith(h, 4);
    expect(chat.messages.map((m) => m.text)).toEqual([
      'Hello, is the sofa in stock?',
      'Location: Office, Tverskaya 1\nhttps://maps.google.com/?q=55.75,37.61',
      'Yes, deliver',
      'Contact: Ivan Petrov\n+7 999 111-22-33',
    ]);
    expect(chat.messages[0]?.connectorMid).toEqual([first.messageId]);
    expect(chat.user).toMatchObject({ id: CUSTOMER, phone: `+${CUSTOMER}`, name: 'Anna K' });
    expect(chat.externalChatId).toBe(CHAT_ID);
    // The session's chat id is kept for business-side lines.
    expect(await h.rt.openLines.chatIdOf(h.memberId, '1', CHAT_ID)).toBe(String(chat.chatId));
  });

  it('an image reaches the chat through a signed app link the portal fetches; an expired or forged link is refused', async () => {
    const bytes = Buffer.from('\x89PNG fake image bytes');
    const mediaId = h.whatsapp.addMedia({ phoneNumberId: LINE.phoneNumberId, bytes, mimeType: 'image/png' });
    await write({ type: 'image', mediaId, mimeType: 'image/png', caption: 'this one' });
    const chat = await chatWith(h, 1);
    const [message] = chat.messages;
    expect(message?.text).toBe('this one');
    expect(message?.files).toEqual([
      expect.objectContaining({ name: `image-${mediaId}.png`, bytes: bytes.length, contentType: 'image/png' }),
    ]);
    const url = new URL(message?.files[0]?.url ?? '');
    expect(url.origin).toBe(h.appUrl);
    expect(url.searchParams.get('exp')).toMatch(/^\d+$/);
    expect(h.whatsapp.mediaDownloads()).toBe(1);

    const forged = new URL(url);
    forged.searchParams.set('sig', `${url.searchParams.get('sig')?.slice(0, -2)}AA`);
    expect((await fetch(forged)).status).toBe(403);
    const expired = new URL(h.rt.publicUrl + h.rt.mediaSigner.sign(url.pathname, Date.now() - 7200_000));
    expect((await fetch(expired)).status).toBe(403);
    const good = await fetch(url);
    expect(good.status).toBe(200);
    // The customer's type is served as a download, never rendered on the app's origin.
    expect(good.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''image-${mediaId}.png`);
    expect(good.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await good.arrayBuffer())).toEqual(bytes);
  });

  it('a reply a wait took stays out of the chat; with the line option it is shown, without CRM tracking', async () => {
    const run = await startButtonsWait(h, { phone: CUSTOMER });
    await tap(h, run, 0, 'Да', { from: CUSTOMER });
    await write({ type: 'text', text: 'after the answer' });
    const chat = await chatWith(h, 1);
    expect(acceptedSends(h, run.eventToken)).toHaveLength(1);
    expect(chat.messages.map((m) => m.text)).toEqual(['after the answer']);
    // The reply the wait took settled its number (a skip marker): the next one did not wait for it.
    const order = h.rt.keys.openLineOrder(h.memberId, CHAT_ID);
    await eventually(async () => (await h.redis.hget(order, 'next')) === '3', 5000, 'both numbers settled');

    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1', { relayTaken: true });
    const second = await startButtonsWait(h, { phone: CUSTOMER });
    await tap(h, second, 1, 'Нет', { from: CUSTOMER });
    const shown = await chatWith(h, 2);
    expect(shown.messages[1]?.text).toBe('Нет');
    expect(acceptedSends(h, second.eventToken)).toHaveLength(1);
  });

  it('a repeated webhook shows the message once', async () => {
    await write({ type: 'text', text: 'once' }, 'wamid.DUPLICATE1');
    await write({ type: 'text', text: 'once' }, 'wamid.DUPLICATE1');
    await write({ type: 'text', text: 'after' });
    const chat = await chatWith(h, 2);
    expect(chat.messages.map((m) => m.text)).toEqual(['once', 'after']);
  });
});

function contactsWebhook() {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: LINE.displayPhoneNumber, phone_number_id: LINE.phoneNumberId },
              contacts: [{ profile: { name: 'Anna 🌸 K.' }, wa_id: CUSTOMER }],
              messages: [
                {
                  from: CUSTOMER,
                  id: 'wamid.CONTACTS1',
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'contacts',
                  contacts: [{ name: { formatted_name: 'Ivan Petrov' }, phones: [{ phone: '+7 999 111-22-33' }] }],
                },
              ],
            },
          },
        ],
      },
    ],
  };
}
