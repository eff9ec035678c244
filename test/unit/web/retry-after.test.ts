import { parseImfFixdate } from '../../../web/src/http-date';
import {
  createRetryGate,
  RETRY_AFTER_DEFAULT_MS,
  RETRY_AFTER_MAX_MS,
  RETRY_AFTER_MIN_MS,
  RETRY_AFTER_TRIES,
  retryAfterMs,
  throughGate,
} from '../../../web/src/retry-after';
import { createManualTimers as manualTimers } from '../../helpers/manual-timers';

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
  it('reads only an IMF-fixdate as a date: what V8 would guess at takes the default', () => {
    // Date.parse reads "x 5" as 2001-05-01 (the 1 s floor) and "soon 2030" as 2030 (the cap).
    const guesses = [
      'x 5',
      'soon 2030',
      'Tue, 01 Dec 2026 09:00:07', // no zone: local time to Date.parse
      'Tue, 01 Dec 2026 09:00:07 UTC',
      'Tue, 01 Dec 2026 09:00:07 gmt',
      'Tue,  1 Dec 2026 09:00:07 GMT',
      'Tuesday, 01-Dec-26 09:00:07 GMT', // RFC 850, obsolete
      'Tue Dec  1 09:00:07 2026', // asctime, obsolete
      'Wed, 01 Dec 2026 09:00:07 GMT', // 1 Dec 2026 is a Tuesday
      'Mon, 31 Feb 2026 09:00:07 GMT',
      'Tue, 01 Dec 2026 24:00:07 GMT',
      '2026-12-01T09:00:07Z',
    ];
    for (const header of guesses) expect([header, retryAfterMs(header, now)]).toEqual([header, RETRY_AFTER_DEFAULT_MS]);
    expect(parseImfFixdate('Tue, 01 Dec 2026 09:00:07 GMT')).toBe(now + 7000);
    expect(parseImfFixdate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
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
    const seen: Array<number | null> = [];
    const gate = createRetryGate(timers, (until) => seen.push(until));
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
    await timers.advance(0);
    for (let i = 1; i < RETRY_AFTER_TRIES; i += 1) await timers.advance(1000);
    expect(await outcome).toBeInstanceOf(Refused);
    expect(tries).toBe(RETRY_AFTER_TRIES);
    // Nothing retries after the last refusal: the gate is open (no notice of a retry) at once.
    expect(gate.until()).toBeNull();
    expect(timers.pending()).toBe(0);
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
    // The page's notice: a wait after each refusal but the last, each cleared when it ended.
    expect(seen.filter((until) => until !== null)).toHaveLength(RETRY_AFTER_TRIES - 1);
    expect(seen.at(-1)).toBeNull();
  });
});
