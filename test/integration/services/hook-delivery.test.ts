import { createHmac } from 'node:crypto';
import { eventPayloadSchema } from '../../../hooks/event-schemas';
import { createAddressPolicy } from '../../../lib/address-policy';
import { setupHooks } from '../../helpers/hook-env';
import { pollUntil } from '../../helpers/poll';
import { type Answer, type Receiver, startReceiver } from '../../simulators/receiver';

// Outbound events over a real Redis and a local HTTP receiver; the clock is moved by hand.
type Env = Awaited<ReturnType<typeof setupHooks>>;
const HOUR = 3600_000;

describe('outbound event delivery', () => {
  let env: Env;
  const receivers: Receiver[] = [];
  const receiver = async (answer?: Answer) => {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  };
  const eventIds = (r: Receiver) => r.received.map((x) => String(x.headers['x-event-id']));
  const log = (id: string) => env.hooks.deliveries('hooks-portal', id);
  const logged = (id: string, n: number) => pollUntil(async () => (await log(id)).length >= n, 5000, `${n} log rows`);

  beforeEach(async () => {
    env = await setupHooks();
  });
  afterEach(async () => {
    await env.close();
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  it('POSTs the event signed with the secret (X-Signature-256 over the raw body, X-Event-Id) and logs it', async () => {
    const r = await receiver();
    const { subscription, secret } = await env.subscribe(`${r.url}/hook`);
    const { event, emitted } = await env.emit('message.received');
    expect(emitted).toBe(true);
    const [got] = await r.waitFor(1);
    expect(got?.method).toBe('POST');
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['x-event-id']).toBe(event.id);
    const expected = `sha256=${createHmac('sha256', secret)
      .update(got?.raw ?? '')
      .digest('hex')}`;
    expect(got?.headers['x-signature-256']).toBe(expected);
    const body = eventPayloadSchema.parse(JSON.parse(got?.raw ?? ''));
    expect(body).toMatchObject({ id: event.id, type: 'message.received', portal: 'hooks-portal', line: 'main' });
    expect(body.occurred_at).toBe(new Date(env.clock.now()).toISOString());
    const [row] = await logged(subscription.id, 1).then(() => log(subscription.id));
    expect(row).toMatchObject({ eventId: event.id, outcome: 'delivered', httpStatus: 200, attempt: 1 });
    expect(await env.metrics.registry.metrics()).toMatch(/wa_hook_deliveries_total\{outcome="delivered"\} 1/);
  });

  it('emits an event id once, and nothing when the portal has no subscription', async () => {
    expect((await env.emit('message.received', 'nobody')).emitted).toBe(false);
    const r = await receiver();
    await env.subscribe(r.url);
    expect((await env.emit('message.received', 'twice')).emitted).toBe(true);
    expect((await env.emit('message.received', 'twice')).emitted).toBe(false);
    await env.emit('message.received', 'after');
    await r.waitFor(2);
    await env.deliverer.idle();
    expect(eventIds(r)).toEqual(['twice', 'after']);
  });

  it('after a 500 retries with backoff, and the events behind it wait and follow in order', async () => {
    const r = await receiver((_req, i) => (i === 0 ? 500 : 200));
    const { subscription } = await env.subscribe(r.url);
    await env.emit('message.received', 'first');
    await env.emit('message.status', 'second');
    await env.emit('wait.ended', 'third');
    await logged(subscription.id, 1);
    const [failed] = await log(subscription.id);
    expect(failed).toMatchObject({ eventId: 'first', outcome: 'retry', httpStatus: 500, attempt: 1 });
    expect(failed?.nextAt).toBe(env.clock.now() + 10_000);
    // The failed event holds the line: the two behind it were not sent.
    await env.deliverer.idle();
    expect(eventIds(r)).toEqual(['first']);
    await env.toNextTry(subscription.id);
    await r.waitFor(4);
    expect(eventIds(r)).toEqual(['first', 'first', 'second', 'third']);
    await logged(subscription.id, 4);
    const rows = (await log(subscription.id)).reverse();
    expect(rows.map((x) => [x.eventId, x.outcome, x.attempt])).toEqual([
      ['first', 'retry', 1],
      ['first', 'delivered', 2],
      ['second', 'delivered', 1],
      ['third', 'delivered', 1],
    ]);
    // Every retry carries the same bytes and signature.
    expect(r.received[0]?.raw).toBe(r.received[1]?.raw);
    expect(r.received[0]?.headers['x-signature-256']).toBe(r.received[1]?.headers['x-signature-256']);
  });

  it('backs off exponentially, gives up 24 h after the event (logged as failed), then goes on', async () => {
    let down = true;
    const r = await receiver(() => (down ? 503 : 200));
    const { subscription } = await env.subscribe(r.url);
    const start = env.clock.now();
    await env.emit('message.received', 'doomed');
    await env.emit('message.received', 'behind');
    const gaps: number[] = [];
    const doomedFailed = async () =>
      (await log(subscription.id)).find((x) => x.eventId === 'doomed' && x.outcome === 'failed');
    for (let tries = 1; tries < 60 && !(await doomedFailed()); tries += 1) {
      await logged(subscription.id, tries);
      const [last] = await log(subscription.id);
      if (last?.outcome !== 'retry') continue;
      gaps.push(last.nextAt - last.at);
      await env.toNextTry(subscription.id);
    }
    expect(gaps.slice(0, 4)).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(Math.max(...gaps)).toBe(HOUR);
    const gaveUp = await doomedFailed();
    expect(gaveUp).toMatchObject({ outcome: 'failed', httpStatus: 503, attempt: gaps.length + 1 });
    expect(gaveUp?.at).toBe(start + 24 * HOUR);
    expect(eventIds(r).filter((id) => id === 'doomed')).toHaveLength(gaps.length + 1);
    // The event behind it is as old: one try, and it is given up too.
    await pollUntil(async () => (await log(subscription.id))[0]?.eventId === 'behind', 5000, 'the event behind');
    expect((await log(subscription.id))[0]).toMatchObject({ outcome: 'failed', attempt: 1 });
    expect(await env.metrics.registry.metrics()).toMatch(/wa_hook_deliveries_total\{outcome="failed"\} 2/);
    down = false;
    await env.emit('message.received', 'fresh');
    await pollUntil(() => eventIds(r).includes('fresh'), 5000, 'the next event');
  });

  it('a removed subscription gets nothing more; the others go on', async () => {
    const removed = await receiver(() => 500);
    const kept = await receiver();
    const a = await env.subscribe(removed.url);
    await env.subscribe(kept.url);
    await env.emit('message.received', 'one');
    await logged(a.subscription.id, 1);
    expect(await env.hooks.remove(a.subscription.id)).toBe(true);
    await env.emit('message.received', 'two');
    env.clock.advance(HOUR);
    env.deliverer.wake();
    await kept.waitFor(2);
    await env.deliverer.idle();
    expect(eventIds(kept)).toEqual(['one', 'two']);
    expect(eventIds(removed)).toEqual(['one']);
    expect(await env.hooks.get(a.subscription.id)).toBeNull();
    expect(await log(a.subscription.id)).toEqual([]);
  });

  it('a subscription gets only the event types it asked for', async () => {
    const waitsOnly = await receiver();
    const everything = await receiver();
    await env.subscribe(waitsOnly.url, ['wait.ended']);
    await env.subscribe(everything.url);
    await env.emit('message.received', 'm');
    await env.emit('wait.ended', 'w');
    await env.emit('message.status', 's');
    await everything.waitFor(3);
    await waitsOnly.waitFor(1);
    await env.deliverer.idle();
    expect(eventIds(everything)).toEqual(['m', 'w', 's']);
    expect(eventIds(waitsOnly)).toEqual(['w']);
  });

  it('keeps the last 100 deliveries per subscription, and the stream holds only undelivered events', async () => {
    const r = await receiver();
    const { subscription } = await env.subscribe(r.url);
    for (let i = 0; i < 105; i += 1) await env.emit('message.status', `s${i}`);
    await r.waitFor(105, 10_000);
    await env.deliverer.idle();
    const rows = await log(subscription.id);
    expect(rows).toHaveLength(100);
    expect(rows[0]?.eventId).toBe('s104');
    expect(rows[99]?.eventId).toBe('s5');
    expect(await env.redis.xlen(env.keys.hookEvents('hooks-portal'))).toBeLessThanOrEqual(1);
  });

  it('a receiver that does not answer in time counts as a failed try', async () => {
    await env.close();
    env = await setupHooks({ timeoutMs: 200 });
    const r = await receiver((_req, i) => (i === 0 ? { status: 200, delayMs: 2000 } : 200));
    const { subscription } = await env.subscribe(r.url);
    await env.emit('message.received', 'slow');
    await logged(subscription.id, 1);
    expect((await log(subscription.id))[0]).toMatchObject({
      outcome: 'retry',
      httpStatus: 0,
      error: 'no answer in 200 ms',
    });
    await env.toNextTry(subscription.id);
    await logged(subscription.id, 2);
    expect((await log(subscription.id))[0]).toMatchObject({ outcome: 'delivered', attempt: 2 });
  });
});

describe('subscription addresses', () => {
  let env: Env;
  let answers: string[] = ['93.184.216.34'];
  afterEach(async () => {
    await env.close();
  });

  it('refuses private addresses and plain http when they are not allowed, at add time', async () => {
    env = await setupHooks({ addresses: createAddressPolicy({ allowPrivate: false, lookup: async () => answers }) });
    await expect(env.subscribe('https://127.0.0.1/hook')).rejects.toThrow(/private, loopback or link-local/);
    await expect(env.subscribe('https://[::ffff:10.0.0.1]/hook')).rejects.toThrow(/private/);
    answers = ['10.1.2.3'];
    await expect(env.subscribe('https://hooks.example.com/x')).rejects.toThrow(/10\.1\.2\.3/);
    answers = ['93.184.216.34'];
    await expect(env.subscribe('http://hooks.example.com/x')).rejects.toThrow(/must be https/);
    await expect(env.subscribe('ftp://hooks.example.com/x')).rejects.toThrow(/must be https/);
    expect((await env.subscribe('https://hooks.example.com/x')).subscription.url).toBe('https://hooks.example.com/x');
  });

  it('checks again before each delivery: a name that now resolves to a private address is not called', async () => {
    answers = ['93.184.216.34'];
    env = await setupHooks({ addresses: createAddressPolicy({ allowPrivate: false, lookup: async () => answers }) });
    const { subscription } = await env.subscribe('https://hooks.example.com/x');
    answers = ['127.0.0.1'];
    await env.emit('message.received', 'rebound');
    await pollUntil(async () => (await env.hooks.deliveries('hooks-portal', subscription.id)).length > 0, 5000, 'log');
    const [row] = await env.hooks.deliveries('hooks-portal', subscription.id);
    expect(row).toMatchObject({ outcome: 'retry', httpStatus: 0 });
    expect(row?.error).toBe(
      'address refused: hooks.example.com is a private, loopback or link-local address (127.0.0.1)',
    );
  });
});
