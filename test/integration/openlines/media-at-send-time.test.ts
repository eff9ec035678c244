import { injectRestFault } from '../../../simulators/bitrix24/rest-faults';
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

  /**
   * The item waits in its chat's outbox: the portal refused its first call and its retry is due on
   * the injected clock, which stands still until the test moves it.
   */
  const heldInOutbox = () =>
    eventually(
      async () =>
        h.portal.stats().queryLimitExceeded === 1 &&
        (await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)) === 1 &&
        // Settled for its retry (not still leased by the dispatcher that met the refusal).
        (await h.redis.hget(h.rt.keys.openLineLease(h.memberId), CHAT_ID)) === null &&
        Number(await h.redis.zscore(h.rt.keys.openLineDue(h.memberId), CHAT_ID)) > clock.now(),
      10_000,
      'the item waiting for its retry',
    );

  it('an image that waited two hours in the outbox still reaches the chat (a link signed at queue time would have expired)', async () => {
    const bytes = Buffer.from('\x89PNG late image');
    const mediaId = h.whatsapp.addMedia({ phoneNumberId: LINE.phoneNumberId, bytes, mimeType: 'image/png' });
    injectRestFault(h.portal.state, { code: 'QUERY_LIMIT_EXCEEDED', times: 1, method: 'imconnector.send.messages' });
    await image(mediaId);
    await heldInOutbox();
    clock.advance(2 * HOUR_MS);
    const chat = await chatWith(h, 1);
    expect(chat.messages[0]?.files).toEqual([
      expect.objectContaining({ name: `image-${mediaId}.png`, bytes: bytes.length, contentType: 'image/png' }),
    ]);
  });

  it('a file the portal could not take is shown as a text line instead of being dropped', async () => {
    await image('media-the-provider-does-not-have');
    const chat = await chatWith(h, 1);
    expect(chat.messages[0]).toMatchObject({
      author: 'customer',
      text: 'The customer sent a file (image) that could not be shown here',
      files: [],
    });
  });
});
