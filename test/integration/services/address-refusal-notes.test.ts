import { Redis } from 'ioredis';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createKeys } from '../../../redis/keys';
import { scripts } from '../../../redis/scripts';
import { ActivityLog } from '../../../store/activity-log';
import { createAddressRefusalNotes, REFUSAL_NOTE_PERIOD_MS } from '../../../workers/portal-address-refusal';
import { createManualClock } from '../../helpers/manual-clock';

/**
 * The settings page's notes of a refused portal address (review s23-dns3): each callback and chat
 * retries on its own timetable, so refusals and drops arrive one by one for a day, in every worker
 * process. The admin gets one note of each kind an hour, not one per callback or per process.
 */
describe('portal address refusal notes', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const keys = createKeys(`arn${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
  const clock = createManualClock();
  const log = createLogger('silent');
  let redis: Redis;
  let activity: ActivityLog;
  beforeAll(() => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    redis = new Redis(url);
    activity = new ActivityLog(redis, keys);
  });
  afterAll(() => redis.disconnect());

  /** Two worker processes' notes over one Redis. */
  const processes = () => [1, 2].map(() => createAddressRefusalNotes({ activity, clock, log, redis, keys }));
  const codes = async (memberId: string) => (await activity.recentErrors(memberId)).map((e) => e.code);
  const refusal = new Error('refused');

  it('refusals in two processes: one note an hour', async () => {
    const [a, b] = processes();
    for (let n = 0; n < 5; n += 1) {
      await a?.refused('p1', refusal, { what: 'callbacks', pauseMs: 300_000 });
      await b?.refused('p1', refusal, { what: 'open_line', pauseMs: 300_000 });
      clock.advance(60_000);
    }
    expect(await codes('p1')).toEqual(['portal_address_refused']);
    clock.advance(REFUSAL_NOTE_PERIOD_MS);
    await b?.refused('p1', refusal, { what: 'callbacks', pauseMs: 300_000 });
    expect(await codes('p1')).toEqual(['portal_address_refused', 'portal_address_refused']);
  });

  it('30 callbacks dropped one by one: one note; the chats dropped get one per line', async () => {
    const [a, b] = processes();
    for (let n = 0; n < 30; n += 1) {
      await (n % 2 ? a : b)?.dropped('p2', 'callbacks', '');
      clock.advance(60_000);
    }
    await a?.dropped('p2', 'open_line', 'main');
    await b?.dropped('p2', 'open_line', 'main');
    await b?.dropped('p2', 'open_line', 'second');
    const notes = (await activity.recentErrors('p2')).map((e) => `${e.code} ${e.action} ${e.lineId}`);
    expect(notes.sort()).toEqual([
      'portal_address_refused_dropped callbacks ',
      'portal_address_refused_dropped open_line main',
      'portal_address_refused_dropped open_line second',
    ]);
    // Another portal is noted on its own.
    await a?.dropped('p3', 'callbacks', '');
    expect(await codes('p3')).toEqual(['portal_address_refused_dropped']);
  });

  it('a note whose write fails gives its hour back: the next refusal notes; written notes keep theirs', async () => {
    // The activity log's write fails once (a Redis hiccup between the claim and the note).
    let failures = 1;
    const flaky: Pick<ActivityLog, 'noteError'> = {
      noteError: (memberId, entry) =>
        failures-- > 0 ? Promise.reject(new Error('write failed')) : activity.noteError(memberId, entry),
    };
    const [other] = processes();
    const notes = createAddressRefusalNotes({ activity: flaky, clock, log, redis, keys });
    await notes.refused('p4', refusal, { what: 'callbacks', pauseMs: 300_000 });
    expect(await codes('p4')).toEqual([]);
    clock.advance(60_000);
    // Another process's refusal a minute later notes it, and then the hour is taken again.
    await other?.refused('p4', refusal, { what: 'open_line', pauseMs: 300_000 });
    for (let n = 0; n < 5; n += 1) {
      clock.advance(60_000);
      await notes.refused('p4', refusal, { what: 'callbacks', pauseMs: 300_000 });
      await other?.refused('p4', refusal, { what: 'open_line', pauseMs: 300_000 });
    }
    expect(await codes('p4')).toEqual(['portal_address_refused']);
    // The same for a drop.
    failures = 1;
    await notes.dropped('p4', 'open_line', 'main');
    await notes.dropped('p4', 'open_line', 'main');
    await notes.dropped('p4', 'open_line', 'main');
    expect(await codes('p4')).toEqual(['portal_address_refused_dropped', 'portal_address_refused']);
  });

  it('a slot is given back only while it still holds the claim that gives it back', async () => {
    const key = keys.addressRefusalNotes('p5');
    const field = keys.addressRefusalNoteField('refused', '', '');
    const claim = (nowMs: number) =>
      scripts.claimPeriod(redis, key, {
        field,
        nowMs,
        periodMs: REFUSAL_NOTE_PERIOD_MS,
        ttlMs: 2 * REFUSAL_NOTE_PERIOD_MS,
      });
    const first = clock.now();
    expect(await claim(first)).toBe(0);
    // A clock a period away claims the slot anew: the first claim's give-back leaves that one alone.
    const later = first + REFUSAL_NOTE_PERIOD_MS;
    expect(await claim(later)).toBe(0);
    expect(await scripts.releasePeriod(redis, key, field, first)).toBe(false);
    expect(await claim(later + 1)).toBeGreaterThan(0);
    expect(await scripts.releasePeriod(redis, key, field, later)).toBe(true);
    expect(await claim(later + 1)).toBe(0);
  });
});
