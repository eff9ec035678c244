import { datetimeValue, isTimeZone, logTime, offsetMinutesAt, offsetZone } from '../../../lib/portal-time';
import { timeZoneOfProfile } from '../../../workers/portal-setup-processor';

// 2025-11-23 12:26:40 UTC (winter) and 2025-07-01 09:00:00 UTC (summer).
const WINTER = Date.UTC(2025, 10, 23, 12, 26, 40);
const SUMMER = Date.UTC(2025, 6, 1, 9, 0, 0);

describe('portal time zones', () => {
  it('knows IANA zones and fixed offsets, and nothing else', () => {
    expect(isTimeZone('Europe/Moscow')).toBe(true);
    expect(isTimeZone('+05:30')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(offsetZone(10800)).toBe('+03:00');
    expect(offsetZone(-16200)).toBe('-04:30');
  });

  it('builds one formatter per zone, however many times its offset is asked (each build costs hundreds of µs)', () => {
    const built = jest.spyOn(Intl, 'DateTimeFormat');
    try {
      for (const ms of [WINTER, SUMMER, WINTER]) offsetMinutesAt('Australia/Adelaide', ms);
      expect(isTimeZone('Australia/Adelaide')).toBe(true);
      expect([isTimeZone('Mars/Phobos'), isTimeZone('Mars/Phobos')]).toEqual([false, false]);
      expect(built).toHaveBeenCalledTimes(2);
      expect([offsetMinutesAt('Australia/Adelaide', WINTER), offsetMinutesAt('Australia/Adelaide', SUMMER)]).toEqual([
        630, 570,
      ]);
    } finally {
      built.mockRestore();
    }
  });

  it('follows daylight saving of an IANA zone', () => {
    expect(offsetMinutesAt('Europe/Berlin', WINTER)).toBe(60);
    expect(offsetMinutesAt('Europe/Berlin', SUMMER)).toBe(120);
    expect(offsetMinutesAt('', WINTER)).toBe(0);
  });

  it('writes datetime return values as ISO 8601 with the portal offset, which Bitrix24 reads', () => {
    expect(datetimeValue(WINTER, 'Europe/Moscow')).toBe('2025-11-23T15:26:40+03:00');
    expect(datetimeValue(SUMMER, 'America/New_York')).toBe('2025-07-01T05:00:00-04:00');
    expect(datetimeValue(WINTER, '+05:30')).toBe('2025-11-23T17:56:40+05:30');
    expect(datetimeValue(WINTER, '')).toBe('2025-11-23T12:26:40+00:00');
    expect(datetimeValue(undefined, 'Europe/Moscow')).toBe('');
    // The shape `Value\DateTime` parses: Y-m-d\TH:i:sO (no fractions, no Z).
    expect(datetimeValue(WINTER, 'Asia/Tokyo')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });

  it('writes robot-log times in the portal zone, in its language order', () => {
    expect(logTime(WINTER, 'Asia/Yekaterinburg', 'ru')).toBe('23.11.2025 17:26:40 (UTC+05:00)');
    expect(logTime(WINTER, 'Europe/London', 'en')).toBe('2025-11-23 12:26:40 (UTC+00:00)');
  });

  it("reads the portal's zone from profile: the IANA name, else the offset of an automatic zone", () => {
    expect(timeZoneOfProfile({ TIME_ZONE: 'Europe/Samara', TIME_ZONE_OFFSET: 14400 })).toBe('Europe/Samara');
    expect(timeZoneOfProfile({ TIME_ZONE: '', TIME_ZONE_OFFSET: '10800' })).toBe('+03:00');
    expect(timeZoneOfProfile({ TIME_ZONE: 'Nowhere/Land', TIME_ZONE_OFFSET: 0 })).toBe('+00:00');
    expect(timeZoneOfProfile({})).toBeUndefined();
    expect(timeZoneOfProfile('not a profile')).toBeUndefined();
  });
});
