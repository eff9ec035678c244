import { eventually, type Harness, LINE } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { CHAT_ID, CUSTOMER, chatWith, openLineHarness } from './openline-helpers';

const HOUR_MS = 3600_000;

describe('open lines: customer media links are signed when the chat item is sent', () => {
  const clock = createManualClock();
  let h: Harness;
  beforeEach(async () => {
    h = await openLineHarness({ clock });
  });
  afterEach(async () => {
    await h.close();
  });

  const image = (mediaId: string) =>
    h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      message: { type: 'image', mediaId, mimeType: 'image/png' },
    });

  /** The item is in its chat's outbox (the injected clock stands still: it is not due before the clock moves). */
  const queued = () =>
    eventually(async () => (await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)) === 1, 10_000, 'the item queued');

  it('an image that waited two hours in the outbox still reaches the chat (a link signed at queue time would have expired)', async () => {
    const bytes = Buffer.from('\x89PNG late image');
    const mediaId = h.whatsapp.addMedia({ phoneNumberId: LINE.phoneNumberId, bytes, mimeType: 'image/png' });
    await image(mediaId);
    await queued();
    clock.advance(2 * HOUR_MS);
    const chat = await chatWith(h, 1);
    expect(chat.messages[0]?.files).toEqual([
      expect.objectContaining({ name: `image-${mediaId}.png`, bytes: bytes.length, contentType: 'image/png' }),
    ]);
  });

  it('a file the portal could not take is shown as a text line instead of being dropped', async () => {
    await image('media-the-provider-does-not-have');
    await queued();
    clock.advance(2000);
    const chat = await chatWith(h, 1);
    expect(chat.messages[0]).toMatchObject({
      author: 'customer',
      text: 'The customer sent a file (image) that could not be shown here',
      files: [],
    });
  });
});
