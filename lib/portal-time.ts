// Times as the portal's users read them: in the portal's time zone (portal-ui-wire.md §6), not UTC.
// A zone is an IANA name (`Europe/Moscow`, from `profile.TIME_ZONE`) or a fixed offset (`+03:00`,
// from `TIME_ZONE_OFFSET` when the zone is "auto"). Node 20's Intl takes no offset zones: they are
// applied by hand.
import type { Lang } from './i18n/catalogue';

const OFFSET_RE = /^([+-])(\d{2}):(\d{2})$/;

/** Zones formatters were asked for, at most this many kept (there are some 600 IANA zones). */
const MAX_ZONES = 1000;
/**
 * Each IANA zone's offset formatter, built once (null: a zone Intl does not know). Building an
 * Intl.DateTimeFormat costs hundreds of µs; a reply's answer time needed two per answer.
 */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function offsetFormatter(zone: string): Intl.DateTimeFormat | null {
  const known = formatters.get(zone);
  if (known !== undefined) return known;
  let formatter: Intl.DateTimeFormat | null;
  try {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  } catch {
    formatter = null;
  }
  if (formatters.size >= MAX_ZONES) formatters.clear();
  formatters.set(zone, formatter);
  return formatter;
}

/** True for an IANA zone Intl knows or a `±HH:MM` offset. */
export function isTimeZone(zone: string): boolean {
  return OFFSET_RE.test(zone) || offsetFormatter(zone) !== null;
}

/** `±HH:MM` for an offset in seconds (Bitrix24's `TIME_ZONE_OFFSET`). */
export function offsetZone(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** Minutes east of UTC in `zone` at `ms` (daylight saving included); an unknown zone counts as UTC. */
export function offsetMinutesAt(zone: string, ms: number): number {
  const fixed = OFFSET_RE.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  const formatter = zone ? offsetFormatter(zone) : null;
  if (!formatter) return 0;
  const name = formatter.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value;
  const parsed = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!parsed) return 0;
  return (parsed[1] === '-' ? -1 : 1) * (Number(parsed[2]) * 60 + Number(parsed[3]));
}

/** Two digits (a closure made per call would be named anew each time under tsx). */
function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The wall-clock fields of `ms` in `zone`, and the offset they are at. */
function wallClock(ms: number, zone: string) {
  const offset = offsetMinutesAt(zone, ms);
  const d = new Date(ms + offset * 60_000);
  return {
    y: String(d.getUTCFullYear()),
    mo: two(d.getUTCMonth() + 1),
    d: two(d.getUTCDate()),
    h: two(d.getUTCHours()),
    mi: two(d.getUTCMinutes()),
    s: two(d.getUTCSeconds()),
    offset: offsetZone(offset * 60),
  };
}

/**
 * A `datetime` return value Bitrix24 reads unambiguously: ISO 8601 with the portal's offset and no
 * fractions (`2024-08-05T12:02:13+03:00`; `Value\DateTime` takes `Y-m-d\TH:i:sO`, §6). '' for no time.
 */
export function datetimeValue(ms: number | undefined, zone: string): string {
  if (!ms) return '';
  const w = wallClock(ms, zone);
  return `${w.y}-${w.mo}-${w.d}T${w.h}:${w.mi}:${w.s}${w.offset}`;
}

/** A time for the robot log, in the portal's zone and its language's order, with the offset. */
export function logTime(ms: number, zone: string, lang: Lang): string {
  const w = wallClock(ms, zone);
  const date = lang === 'ru' ? `${w.d}.${w.mo}.${w.y}` : `${w.y}-${w.mo}-${w.d}`;
  return `${date} ${w.h}:${w.mi}:${w.s} (UTC${w.offset})`;
}
