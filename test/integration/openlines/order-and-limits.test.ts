import { injectRestFault } from '../../../simulators/bitrix24/rest-faults';
import { type Harness, LINE } from '../../helpers/harness';
import { CUSTOMER, chatWith, openLineHarness } from './openline-helpers';

const say = (h: Harness, text: string) =>
  h.whatsapp.deliverInbound({ phoneNumberId: LINE.phoneNumberId, from: CUSTOMER, message: { type: 'text', text } });

describe('open lines: order and limits', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('100 messages of one chat reach it in the order received with 3 worker processes', async () => {
    h = await openLineHarness({ restLimit: { drainPerSec: 10, burst: 50 } });
    // A backlog: the webhooks are received (and numbered) first, then three processes take the jobs
    // at once, out of order; the numbers given at receipt put the chat back in order.
    await h.stopWorkers();
    const texts = Array.from({ length: 100 }, (_, i) => `message ${i + 1}`);
    for (const text of texts) expect((await say(h, text)).status).toBe(200);
    for (let i = 0; i < 3; i += 1) await h.startWorkerInstance();
    const chat = await chatWith(h, 100, 60_000);
    expect(chat.messages.map((m) => m.text)).toEqual(texts);
    // Runs of a chat's messages share one call (trap 3: one in-flight call per chat, batched).
    expect(h.portal.stats().byMethod['imconnector.send.messages'] ?? 0).toBeLessThan(100);
  }, 90_000);

  it('a portal answering QUERY_LIMIT_EXCEEDED delays the chat messages; all arrive afterwards, in order', async () => {
    h = await openLineHarness();
    const before = h.portal.stats().queryLimitExceeded;
    injectRestFault(h.portal.state, { code: 'QUERY_LIMIT_EXCEEDED', times: 6, method: 'imconnector.send.messages' });
    const texts = Array.from({ length: 10 }, (_, i) => `during the limit ${i + 1}`);
    for (const text of texts) await say(h, text);
    const chat = await chatWith(h, 10, 60_000);
    expect(chat.messages.map((m) => m.text)).toEqual(texts);
    expect(h.portal.stats().queryLimitExceeded - before).toBe(6);
  }, 90_000);
});
