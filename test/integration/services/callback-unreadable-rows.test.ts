import { Redis } from 'ioredis';
import { CallbackOutbox } from '../../../bitrix/callback-outbox';
import { randomId } from '../../../lib/hash';
import { createKeys } from '../../../redis/keys';
import { acceptingDispatcher } from '../../helpers/callback-dispatcher-env';
import { createManualClock } from '../../helpers/manual-clock';

/**
 * A row of a portal's callback outbox this version cannot read (not JSON, or not a callback: a
 * foreign writer, an older release) is dropped alone, with an error; the callbacks claimed beside it
 * still go out. Thrown for the batch, it failed the batch every lease period, for good.
 */
describe('callback dispatcher: rows it cannot read', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const connections: Redis[] = [];
  afterAll(() => {
    for (const connection of connections) connection.disconnect();
  });

  it('drops them alone and sends the rest of the batch', async () => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    const redis = new Redis(url);
    const subscriber = new Redis(url);
    connections.push(redis, subscriber);
    const keys = createKeys(`cur${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const clock = createManualClock();
    const outbox = new CallbackOutbox(redis, keys, clock);
    const sent: string[] = [];
    const dispatcher = acceptingDispatcher({ redis, plain: redis, subscriber, keys, clock, outbox, sent });
    const good = { eventToken: 'wf|A1|tok.sig', returnValues: { status: 'sent' }, logMessage: 'ok' };
    await outbox.enqueue('m1', good);
    const unreadable: Array<[string, string]> = [
      ['not-json', '{"eventToken":'],
      ['not-a-callback', '{"event":"x"}'],
    ];
    for (const [id, json] of unreadable) {
      await redis.hset(keys.callbackPending('m1'), id, json);
      await redis.zadd(keys.callbackDue('m1'), clock.now(), id);
    }
    try {
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(sent).toEqual([good.eventToken]);
      expect(await outbox.pendingCount('m1')).toBe(0);
      expect(await redis.zcard(keys.callbackDue('m1'))).toBe(0);
    } finally {
      await dispatcher.stop();
    }
  });
});
