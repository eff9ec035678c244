import { UNREADABLE_PAUSE_MS } from '../../../workers/callback-row';
import { callbackTestEnv } from '../../helpers/callback-dispatcher-env';

/**
 * A row of a portal's callback outbox this version cannot read is set aside alone: not a callback at
 * all (not JSON, no event token) it is dropped; a callback of another shape (a newer release's,
 * during a rolling deploy) is kept for the workers that read it, until the retry budget. The
 * callbacks claimed beside it still go out. Thrown for the batch, it failed the batch every lease
 * period, for good.
 */
describe('callback dispatcher: rows it cannot read', () => {
  const envs: Array<ReturnType<typeof callbackTestEnv>> = [];
  afterAll(() => {
    for (const env of envs) env.close();
  });

  it('sets them aside alone and sends the rest of the batch', async () => {
    const env = callbackTestEnv('cur');
    envs.push(env);
    const { redis, keys, clock, outbox, sent } = env;
    const dispatcher = env.dispatcher();
    const good = { eventToken: 'wf|A1|tok.sig', returnValues: { status: 'sent' }, logMessage: 'ok' };
    await outbox.enqueue('m1', good);
    const newer = JSON.stringify({ eventToken: 'wf|N1|tok.sig', returnValues: 5, queuedAt: clock.now() });
    const unreadable: Array<[string, string]> = [
      ['not-json', '{"eventToken":'],
      ['not-a-callback', '{"event":"x"}'],
      ['no-queue-time', '{"eventToken":"wf|N0|tok.sig"}'],
      // A callback of another shape (a newer release's): kept for the workers that read it…
      ['newer', newer],
      // …unless it is older than the retry budget (a day).
      [
        'newer-but-stale',
        JSON.stringify({ eventToken: 'wf|N2|tok.sig', returnValues: 5, queuedAt: clock.now() - 2 * 86_400_000 }),
      ],
    ];
    for (const [id, json] of unreadable) {
      await redis.hset(keys.callbackPending('m1'), id, json);
      await redis.zadd(keys.callbackDue('m1'), clock.now(), id);
    }
    try {
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(sent).toEqual([good.eventToken]);
      expect(await redis.hgetall(keys.callbackPending('m1'))).toEqual({ newer });
      expect(Number(await redis.zscore(keys.callbackDue('m1'), 'newer'))).toBe(clock.now() + UNREADABLE_PAUSE_MS);
      expect(await redis.zcard(keys.callbackDue('m1'))).toBe(1);
    } finally {
      await dispatcher.stop();
    }
  });
});
