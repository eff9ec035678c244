import { Redis } from 'ioredis';
import { randomId } from '../../../lib/hash';
import { createSecretBox } from '../../../lib/secret-box';
import { createKeys } from '../../../redis/keys';
import { run, scripts } from '../../../redis/scripts';
import { ConfigCache } from '../../../store/config-cache';
import { LineStore } from '../../../store/line-store';
import { createManualClock } from '../../helpers/manual-clock';

/** A line's last-webhook time (shown to the second) is written at most once a second per process. */
describe("a line's last-webhook time", () => {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  afterAll(() => redis.disconnect());

  it('is written by the first webhook of each second, not by every message of a busy line', async () => {
    const keys = createKeys(`lwm${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const clock = createManualClock();
    const lines = new LineStore(
      redis,
      keys,
      createSecretBox(Buffer.alloc(32, 7)),
      new ConfigCache(redis, keys, { clock }),
    );
    // The write is one script call (it keeps the newest time).
    const hsets = jest.spyOn(redis, 'evalsha');
    const first = clock.now();
    await lines.markWebhook('m1', 'main', first);
    clock.advance(400);
    await lines.markWebhook('m1', 'main', clock.now());
    // Another line of the portal has its own time.
    await lines.markWebhook('m1', 'other', clock.now());
    expect(hsets).toHaveBeenCalledTimes(2);
    expect(await lines.lastWebhookAt('m1', 'main')).toBe(first);
    clock.advance(600);
    await lines.markWebhook('m1', 'main', clock.now());
    expect(await lines.lastWebhookAt('m1', 'main')).toBe(clock.now());
    expect(hsets).toHaveBeenCalledTimes(3);
  });

  it("keeps the newest time: a retried job's old time written first does not hold back the fresh ones", async () => {
    const keys = createKeys(`lwm${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const clock = createManualClock();
    const lines = new LineStore(
      redis,
      keys,
      createSecretBox(Buffer.alloc(32, 7)),
      new ConfigCache(redis, keys, { clock }),
    );
    // A job retried after its backoff runs first in this second: its webhook came 5 minutes ago.
    await lines.markWebhook('m1', 'main', clock.now() - 300_000);
    clock.advance(100);
    await lines.markWebhook('m1', 'main', clock.now());
    expect(await lines.lastWebhookAt('m1', 'main')).toBe(clock.now());
    const fresh = clock.now();
    // And an old one after it leaves the fresh time in place.
    clock.advance(100);
    await lines.markWebhook('m1', 'main', clock.now() - 300_000);
    expect(await lines.lastWebhookAt('m1', 'main')).toBe(fresh);
  });

  it('keeps the newest time past the second and across processes: an old time written later never replaces it', async () => {
    const keys = createKeys(`lwm${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const clock = createManualClock();
    const store = () =>
      new LineStore(redis, keys, createSecretBox(Buffer.alloc(32, 7)), new ConfigCache(redis, keys, { clock }));
    const [one, other] = [store(), store()];
    const fresh = clock.now();
    await one.markWebhook('m1', 'main', fresh);
    // The line goes quiet; 3 s later (this process's throttle entry has lapsed) a job retried after
    // its backoff runs: its webhook came 5 minutes before the fresh one.
    clock.advance(3000);
    await one.markWebhook('m1', 'main', fresh - 300_000);
    expect(await one.lastWebhookAt('m1', 'main')).toBe(fresh);
    // Another process, which never wrote this line, with an old time of its own.
    await other.markWebhook('m1', 'main', fresh - 1000);
    expect(await other.lastWebhookAt('m1', 'main')).toBe(fresh);
    // A newer time from either still goes in.
    await other.markWebhook('m1', 'main', clock.now());
    expect(await one.lastWebhookAt('m1', 'main')).toBe(clock.now());
  });
  it('the max script: a stored value that is not a number is replaced; a value that is not one is refused', async () => {
    const key = createKeys(`lwm${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`).lineWebhookAt('m1');
    await redis.hset(key, 'main', 'garbage');
    expect(await scripts.writeFieldMax(redis, key, 'main', 5)).toBe(true);
    expect(await redis.hget(key, 'main')).toBe('5');
    await expect(run(redis, 'field-max-1', [key], ['main', 'soon'])).rejects.toThrow(/must be a number/);
    await expect(scripts.writeFieldMax(redis, key, 'main', Number.NaN)).rejects.toThrow(/finite number/);
    expect(await redis.hget(key, 'main')).toBe('5');
  });
});
