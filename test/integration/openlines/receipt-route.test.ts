import type { InboundJob } from '../../../queues/job-schemas';
import { type Harness, LINE } from '../../helpers/harness';
import { watchCommands } from '../../helpers/redis-monitor';
import { CUSTOMER, openLineHarness } from './openline-helpers';

/**
 * The webhook door numbers a message under the number → line route this process remembers, the
 * attachment and the portal's config version read in one round trip: a route gone stale (the line
 * removed, the number now another line's) or an attachment gone must number as before.
 */
describe('open lines: numbering at receipt under a remembered route', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openLineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const message = (id: string): InboundJob => ({
    phoneNumberId: LINE.phoneNumberId,
    kind: 'message',
    event: { id, from: CUSTOMER, type: 'text', text: { body: 'hi' } },
    receivedAt: Date.now(),
  });
  const numberOf = (id: string) => h.rt.numberAtReceipt(message(id), `in-${id}`);

  it('numbers the messages of a remembered route one after the other', async () => {
    expect(await numberOf('wamid.R1')).toBe(1);
    expect(h.rt.lines.rememberedOwner(LINE.phoneNumberId)).toEqual({ memberId: h.memberId, lineId: 'main' });
    expect(await numberOf('wamid.R2')).toBe(2);
    expect(await numberOf('wamid.R3')).toBe(3);
  });

  it('a remembered route: the attachment and the config version in one script, then the number (2 round trips)', async () => {
    expect(await numberOf('wamid.T1')).toBe(1);
    expect(h.rt.lines.rememberedOwner(LINE.phoneNumberId)?.lineId).toBe('main');
    const watch = await watchCommands(h.redisUrl, h.memberId);
    try {
      expect(await numberOf('wamid.T2')).toBe(2);
      // The app's round trips (EVAL only follows an EVALSHA a fresh Redis did not know yet).
      const seen = (await watch.seen()).filter((c) => !c.fromScript && c.name !== 'eval');
      const keysOf = (i: number) => seen[i]?.args.filter((a) => a.startsWith(h.rt.keys.prefix)) ?? [];
      expect(seen.map((c) => c.name)).toEqual(['evalsha', 'evalsha']);
      expect(keysOf(0)).toEqual([h.rt.keys.configVersion(h.memberId), h.rt.keys.openLineAttachments(h.memberId)]);
      expect(keysOf(1)).toContain(h.rt.keys.openLineOrder(h.memberId, `${CUSTOMER}-main`));
    } finally {
      await watch.stop();
    }
  });

  it('a route gone stale: the number now an attached line of its own, numbered in that line’s chat', async () => {
    expect(await numberOf('wamid.S1')).toBe(1);
    const main = await h.rt.lines.get(h.memberId, 'main');
    if (!main) throw new Error('line main missing');
    await h.rt.lines.remove(h.memberId, 'main');
    await h.rt.lines.add({ ...main, id: 'second', createdAt: main.createdAt + 1 });
    await h.rt.openLines.attach(h.memberId, {
      lineId: 'second',
      openLineId: '2',
      attachedAt: 1,
      relayTaken: false,
      active: true,
    });
    // A leftover record of the old line (an older schema): not this message's line, so never parsed.
    await h.redis.hset(h.rt.keys.openLineAttachments(h.memberId), 'main', '{"lineId":"main","schema":"old"}');
    // Still remembered here (for seconds): the door must not trust it.
    expect(h.rt.lines.rememberedOwner(LINE.phoneNumberId)?.lineId).toBe('main');
    expect(await numberOf('wamid.S2')).toBe(1);
    const order = await h.redis.hgetall(h.rt.keys.openLineOrder(h.memberId, `${CUSTOMER}-second`));
    expect(order).toMatchObject({ 'j:1': 'in-wamid.S2' });
    expect(h.rt.lines.rememberedOwner(LINE.phoneNumberId)?.lineId).toBe('second');
  });

  it('a remembered route whose line was detached or switched off: not numbered', async () => {
    expect(await numberOf('wamid.D1')).toBe(1);
    // Both answers below come by the remembered route.
    expect(h.rt.lines.rememberedOwner(LINE.phoneNumberId)?.lineId).toBe('main');
    await h.rt.openLines.setActive(h.memberId, '1', false);
    expect(await numberOf('wamid.D2')).toBeUndefined();
    await h.rt.openLines.detach(h.memberId, 'main');
    expect(await numberOf('wamid.D3')).toBeUndefined();
  });
});
