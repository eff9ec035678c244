import { z } from 'zod';
import { timeoutProperty } from '../../../actions/common-properties';
import { prop } from '../../../actions/property';
import { propertyIssues } from '../../../actions/property-issues';
import { render } from '../../../lib/i18n/catalogue';

// Number properties read plain decimals only (review-s20-dedupe.md #7): the raw values that review
// compared, plus the odd ones a portal user or Bitrix24 may send. Each cell is the parsed value or
// the words the robot log would show (English).
const properties = {
  timeout: timeoutProperty({ ru: 'Ждать не дольше', en: 'Time-out' }),
  latitude: prop.number({ name: { ru: 'Широта', en: 'Latitude' }, required: true, min: -90, max: 90 }),
  amount: prop.number({ name: { ru: 'Сумма', en: 'Amount' } }),
};
type Code = keyof typeof properties;

function read(code: Code, raw: unknown): number | string | undefined {
  const parsed = z.object({ [code]: properties[code].schema }).safeParse({ [code]: raw });
  if (parsed.success) return parsed.data[code];
  return propertyIssues({ properties }, parsed.error, { [code]: raw })
    .map((words) => render('en', words))
    .join('; ');
}

const T_REQUIRED = 24; // the time-out's default
const WHOLE = 'Time-out: a whole number';
const L_NUMBER = 'Latitude: a number';
const A_NUMBER = 'Amount: a number';
const L_REQUIRED = 'Latitude: required';
const NOT_NUMBER = [WHOLE, L_NUMBER, A_NUMBER] as const;

// [raw value, time-out (whole 1..43200, default 24), latitude (required, -90..90), amount (optional)]
const table: Array<[unknown, number | string, number | string, number | string | undefined]> = [
  // Not given: the default, "required", or nothing.
  [undefined, T_REQUIRED, L_REQUIRED, undefined],
  [null, T_REQUIRED, L_REQUIRED, undefined],
  ['', T_REQUIRED, L_REQUIRED, undefined],
  [' ', T_REQUIRED, L_REQUIRED, undefined],
  ['  \n ', T_REQUIRED, L_REQUIRED, undefined],
  [[], T_REQUIRED, L_REQUIRED, undefined],
  [[''], T_REQUIRED, L_REQUIRED, undefined],
  [[' '], T_REQUIRED, L_REQUIRED, undefined],
  [[null], T_REQUIRED, L_REQUIRED, undefined],
  [[undefined], T_REQUIRED, L_REQUIRED, undefined],
  // Plain decimals, spaces around trimmed (a no-break space too), the first of a list.
  ['0', 'Time-out: at least 1', 0, 0],
  ['1', 1, 1, 1],
  ['24', 24, 24, 24],
  [' 24 ', 24, 24, 24],
  ['\u00a024\u00a0', 24, 24, 24],
  ['+5', 5, 5, 5],
  ['007', 7, 7, 7],
  ['24.0', 24, 24, 24],
  ['43200', 43200, 'Latitude: at most 90', 43200],
  ['43201', 'Time-out: at most 43200', 'Latitude: at most 90', 43201],
  ['-1', 'Time-out: at least 1', -1, -1],
  ['1.5', WHOLE, 1.5, 1.5],
  [['5', ''], 5, 5, 5],
  [['7', '8'], 7, 7, 7],
  [0, 'Time-out: at least 1', 0, 0],
  [5, 5, 5, 5],
  // A decimal comma (Russian portals) for fractions; a whole number takes none, so a thousand
  // typed as `1,000` is refused there rather than read as 1.
  ['55,75', WHOLE, 55.75, 55.75],
  ['1,5', WHOLE, 1.5, 1.5],
  ['1,000', WHOLE, 1, 1],
  // The exponent PHP prints for a very small or large float: a fraction takes it, a whole number not.
  ['5.0E-5', WHOLE, 0.00005, 0.00005],
  ['1.0E+15', WHOLE, 'Latitude: at most 90', 1e15],
  ['-1.5e3', WHOLE, 'Latitude: at least -90', -1500],
  ['1e3', WHOLE, 'Latitude: at most 90', 1000],
  ['1,5E3', ...NOT_NUMBER],
  ['1E', ...NOT_NUMBER],
  // What JavaScript would read as a number, and a portal user would not.
  ['0x10', ...NOT_NUMBER],
  ['0b11', ...NOT_NUMBER],
  ['Infinity', ...NOT_NUMBER],
  ['NaN', ...NOT_NUMBER],
  ['1_000', ...NOT_NUMBER],
  ['1 000', ...NOT_NUMBER],
  ['5.', ...NOT_NUMBER],
  ['.5', ...NOT_NUMBER],
  ['1.5.2', ...NOT_NUMBER],
  ['1,5,2', ...NOT_NUMBER],
  ['--1', ...NOT_NUMBER],
  ['١٢', ...NOT_NUMBER], // Arabic-Indic digits
  ['1\n2', ...NOT_NUMBER],
  [['a\nb', 'c'], ...NOT_NUMBER],
  ['abc', ...NOT_NUMBER],
  ['x'.repeat(300), ...NOT_NUMBER],
  ...['Y', 'N', 'y', 'n', 'true', 'false', 'minutes', 'hours', 'days'].map(
    (word): [unknown, string, string, string] => [word, ...NOT_NUMBER],
  ),
  [true, ...NOT_NUMBER],
  [false, ...NOT_NUMBER],
  [{}, ...NOT_NUMBER],
];

describe('number properties read plain decimals', () => {
  it.each(table)('%j → time-out %j, latitude %j, amount %j', (raw, timeout, latitude, amount) => {
    expect(read('timeout', raw)).toBe(timeout);
    expect(read('latitude', raw)).toBe(latitude);
    expect(read('amount', raw)).toBe(amount);
  });

  it('say what is wrong in Russian too', () => {
    const parsed = z.object({ timeout: properties.timeout.schema }).safeParse({ timeout: '0x10' });
    const words = propertyIssues({ properties }, parsed.error ?? new z.ZodError([]), { timeout: '0x10' });
    expect(words.map((w) => render('ru', w))).toEqual(['«Ждать не дольше»: целое число']);
  });

  it('keep the descriptor types and defaults', () => {
    expect(properties.timeout.descriptor).toMatchObject({ Type: 'int', Required: 'N', Default: '24' });
    expect(properties.latitude.descriptor).toMatchObject({ Type: 'double', Required: 'Y' });
    expect(properties.amount.descriptor.Default).toBeUndefined();
  });
});
