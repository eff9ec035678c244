// HTTP dates as RFC 9110 §5.6.7 (RFC 7231 §7.1.1.1) defines the one form senders use, IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT"), read strictly: V8's Date.parse takes nearly anything ("x 5"
// is 2001-05-01), and a header that merely looks like a date must not set the page's waits.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** The ms since the epoch an IMF-fixdate names; undefined for anything else (other forms, a 31 Feb, a wrong weekday). */
export function parseImfFixdate(text: string | null | undefined): number | undefined {
  const match = IMF_FIXDATE.exec(text ?? '');
  if (!match) return undefined;
  const [, dayName = '', dayText = '', monthName = '', yearText = '', hourText = '', minuteText = '', secondText = ''] =
    match;
  const month = MONTHS.indexOf(monthName);
  const [day, year, hour, minute, second] = [dayText, yearText, hourText, minuteText, secondText].map(Number);
  if (month < 0 || day === undefined || year === undefined || hour === undefined) return undefined;
  if (minute === undefined || second === undefined) return undefined;
  // A leap second (60) is allowed by the grammar; Date.UTC carries it into the next minute.
  // Date.UTC reads years 0-99 as 1900-1999.
  if (year < 100 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month, day, hour, minute, second);
  const date = new Date(Date.UTC(year, month, day));
  // Date.UTC rolls a 31 Feb over into March: such a day is no date.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month) return undefined;
  if (DAYS[date.getUTCDay()] !== dayName) return undefined;
  return ms;
}
