import {
  createRetryGate,
  type GateTimers,
  RETRY_AFTER_DEFAULT_MS,
  RETRY_AFTER_MAX_MS,
  RETRY_AFTER_MIN_MS,
  RETRY_AFTER_TRIES,
  retryAfterMs,
  throughGate,
} from '../../../web/src/retry-after';

/** Timers a test moves by hand: what is due runs when the test advances past it. */
function manualTimers(start = Date.UTC(2026, 11, 1, 9, 0, 0)) {
  let now = start;
  let timers: Array<{ at: number; run: () => void }> = [];
  const timersApi: GateTimers = {
    now: () => now,
    schedule(run, ms) {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
  };
  return {
    ...timersApi,
    pending: () => timers.length,
    async advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const timer of due) timer.run();
      // Let the released calls run up to their next await.
      for (let i = 0; i < 10; i += 1) await Promise.resolve();
    },
  };
}

class Refused extends Error {
  constructor(readonly waitMs: number) {
    super('429');
  }
}
const waitOf = (error: unknown) => (error instanceof Refused ? error.waitMs : undefined);

describe('retryAfterMs', () => {
  const now = Date.UTC(2026, 11, 1, 9, 0, 0);
  it('reads delta-seconds and an HTTP date', () => {
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs(' 60 ', now)).toBe(60_000);
    expect(retryAfterMs(new Date(now + 7000).toUTCString(), now)).toBe(7000);
  });
  it('bounds the wait: never below a second nor above the cap', () => {
    expect(retryAfterMs('0', now)).toBe(RETRY_AFTER_MIN_MS);
    expect(retryAfterMs(new Date(now - 60_000).toUTCString(), now)).toBe(RETRY_AFTER_MIN_MS);
    expect(retryAfterMs('86400', now)).toBe(RETRY_AFTER_MAX_MS);
  });
  it('takes the default for a missing or unreadable header', () => {
    for (const header of [null, undefined, '', '-5', '1.5', 'soon', 'Fri, 99 Foo 2026'])
      expect(retryAfterMs(header, now)).toBe(RETRY_AFTER_DEFAULT_MS);
  });
});

describe('the retry gate', () => {
  it('holds calls while closed and keeps one timer for many refusals, the longest wait winning', async () => {
    const timers = manualTimers();
    const seen: Array<number | null> = [];
    const gate = createRetryGate(timers, (until) => seen.push(until));
    const start = timers.now();
    gate.close(2000);
    gate.close(1000);
    gate.close(3000);
    expect(timers.pending()).toBe(1);
    expect(gate.until()).toBe(start + 3000);
    expect(seen).toEqual([start + 2000, start + 3000]);

    let released = false;
    void gate.opened().then(() => {
      released = true;
    });
    await timers.advance(2999);
    expect(released).toBe(false);
    await timers.advance(1);
    expect(released).toBe(true);
    expect(gate.until()).toBeNull();
    expect(seen.at(-1)).toBeNull();
    expect(timers.pending()).toBe(0);
  });

  it('retries a refused call once its wait is over, and a call made during the wait goes only then', async () => {
    const timers = manualTimers();
    const gate = createRetryGate(timers, () => undefined);
    const start = timers.now();
    const renewals: number[] = [];
    const renew = throughGate(
      gate,
      async () => {
        renewals.push(timers.now() - start);
        if (renewals.length === 1) throw new Refused(2000);
        return 'renewed';
      },
      waitOf,
    );
    await timers.advance(0);
    expect(renewals).toEqual([0]);
    expect(gate.until()).toBe(start + 2000);

    // A click during the wait: it asks the server only when the wait is over.
    const clicks: number[] = [];
    const click = throughGate(
      gate,
      async () => {
        clicks.push(timers.now() - start);
        return 'clicked';
      },
      waitOf,
    );
    await timers.advance(1999);
    expect(renewals).toEqual([0]);
    expect(clicks).toEqual([]);
    await timers.advance(1);
    await expect(renew).resolves.toBe('renewed');
    await expect(click).resolves.toBe('clicked');
    expect(renewals).toEqual([0, 2000]);
    expect(clicks).toEqual([2000]);
  });

  it('gives up after the last try, throwing the refusal, and passes other failures at once', async () => {
    const timers = manualTimers();
    const gate = createRetryGate(timers, () => undefined);
    let tries = 0;
    const refusedAlways = throughGate(
      gate,
      async () => {
        tries += 1;
        throw new Refused(1000);
      },
      waitOf,
    );
    const outcome = refusedAlways.catch((error: unknown) => error);
    for (let i = 0; i < RETRY_AFTER_TRIES; i += 1) await timers.advance(1000);
    expect(await outcome).toBeInstanceOf(Refused);
    expect(tries).toBe(RETRY_AFTER_TRIES);

    await timers.advance(1000);
    let other = 0;
    const failing = throughGate(
      gate,
      async () => {
        other += 1;
        throw new Error('bad input');
      },
      waitOf,
    );
    await expect(failing).rejects.toThrow('bad input');
    expect(other).toBe(1);
    expect(gate.until()).toBeNull();
  });
});
