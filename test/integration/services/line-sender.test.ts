import { Redis } from 'ioredis';
import { systemClock } from '../../../lib/clock';
import { LineBusyError } from '../../../lib/errors/app-error';
import { randomId } from '../../../lib/hash';
import { createMetrics } from '../../../lib/metrics';
import { createLineSender } from '../../../lines/line-sender';
import { createKeys } from '../../../redis/keys';
import type { Line } from '../../../store/line-store';
import { eventually } from '../../helpers/harness';

// A line's shared window over a real Redis: a slot that frees within a few ms is waited for in
// process (no trip back to the queue); a longer wait is the queue's (LineBusyError).
describe('line sender: waiting for a slot (real Redis)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  afterAll(() => redis.disconnect());

  const line: Line = {
    id: 'main',
    memberId: 'm1',
    provider: 'cloud',
    phoneNumberId: `1065${Math.floor(Math.random() * 1e9)}`,
    accessToken: 'EAAG-x',
    name: 'Main',
    ratePerSec: 2,
    createdAt: 0,
  };
  const senderWith = (windowMs: number, keys = createKeys(`ls${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`)) => {
    const providerFor = () => {
      throw new Error('not used: requests are given');
    };
    return createLineSender({
      redis,
      keys,
      clock: systemClock,
      metrics: createMetrics(),
      providerFor,
      windowMs,
      defaultRatePerSec: 2,
    });
  };

  it('a slot freeing within the short wait is taken in process: the third send of a 2-per-window line goes once the first leaves', async () => {
    const sender = senderWith(20);
    const answeredAt: number[] = [];
    const send = () => sender.withSlot(line, async () => answeredAt.push(Date.now()));
    await send();
    await send();
    await send();
    expect(answeredAt).toHaveLength(3);
    // Never more than 2 in any 20 ms: the third waited for the first to leave the window.
    expect((answeredAt[2] ?? 0) - (answeredAt[0] ?? 0)).toBeGreaterThanOrEqual(19);
  });

  it('a longer wait goes back to the caller as LineBusyError, and nothing is sent', async () => {
    const sender = senderWith(1000);
    let sent = 0;
    const send = () => sender.withSlot(line, async () => sent++);
    await send();
    await send();
    await expect(send()).rejects.toBeInstanceOf(LineBusyError);
    expect(sent).toBe(2);
  });

  it('a window full of sends in flight: the wait in process stops at 100 ms and the job goes back as LineBusyError', async () => {
    // Window 20 ms: an in-flight slot leaves only when its send is answered, so the script answers
    // the short in-flight wait (25 ms) every time; without the cap the third send would poll forever.
    const sender = senderWith(20);
    let sent = 0;
    const release: Array<() => void> = [];
    const hanging = () =>
      sender.withSlot(line, async () => {
        sent++;
        await new Promise<void>((resolve) => release.push(resolve));
      });
    const inFlight = [hanging(), hanging()];
    await eventually(() => sent === 2);
    const started = Date.now();
    const third = sender.withSlot(line, async () => sent++);
    await expect(third).rejects.toBeInstanceOf(LineBusyError);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(75);
    expect(waited).toBeLessThan(1000);
    expect(sent).toBe(2);
    for (const resolve of release) resolve();
    await Promise.all(inFlight);
  });

  it("a send marked answered starts its slot's window then, while the request still runs (one round trip with its record)", async () => {
    const keys = createKeys(`ls${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const sender = senderWith(10_000, keys);
    const slotScore = async () =>
      Number((await redis.zrange(keys.lineRateWindow(line.phoneNumberId), 0, 0, 'WITHSCORES'))[1]);
    let inFlightScore = 0;
    let answeredScore = 0;
    await sender.withSlot(line, async (answered) => {
      inFlightScore = await slotScore();
      answered();
      // Answered counts from Redis' TIME now: a window (10 s) ahead, before the in-flight lease's end (30 s).
      answeredScore = await eventually(async () => {
        const score = await slotScore();
        return score !== inFlightScore ? score : undefined;
      });
    });
    const [seconds = '0', micros = '0'] = await redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    expect(answeredScore).toBeGreaterThan(now);
    expect(answeredScore).toBeLessThanOrEqual(now + 10_000);
    expect(answeredScore).toBeLessThan(inFlightScore);
    // Marked once: the end of the request leaves the slot where answered() put it.
    expect(await slotScore()).toBe(answeredScore);
  });
});
