import { z } from 'zod';
import { prop } from '../../../actions/property';

describe('property builders', () => {
  it('string: required, max length, blank = missing', () => {
    const p = prop.string({ name: { ru: 'Т', en: 'T' }, required: true, max: 5 });
    expect(p.descriptor).toMatchObject({ Type: 'string', Required: 'Y', Multiple: 'N' });
    expect(p.schema.parse('abc')).toBe('abc');
    expect(p.schema.safeParse('abcdef').error?.issues[0]).toMatchObject({ code: 'too_big', maximum: 5 });
    expect(p.schema.safeParse('  ').success).toBe(false);
    expect(p.schema.safeParse(undefined).success).toBe(false);
  });

  it('string: default applies when absent', () => {
    const p = prop.string({ name: { ru: 'Т', en: 'T' }, default: 'x' });
    expect(p.schema.parse(undefined)).toBe('x');
    expect(p.descriptor.Default).toBe('x');
  });

  it('bool accepts Y/N and 1/0, defaulting', () => {
    const p = prop.bool({ name: { ru: 'Б', en: 'B' }, default: false });
    expect(p.schema.parse('Y')).toBe(true);
    expect(p.schema.parse('0')).toBe(false);
    expect(p.schema.parse(undefined)).toBe(false);
    expect(p.schema.safeParse('maybe').success).toBe(false);
  });

  it('select keeps to its options', () => {
    const p = prop.select({
      name: { ru: 'С', en: 'S' },
      options: { a: { ru: 'А', en: 'A' }, b: { ru: 'Б', en: 'B' } },
      default: 'a',
    });
    expect(p.schema.parse('b')).toBe('b');
    expect(p.schema.parse(undefined)).toBe('a');
    expect(p.schema.safeParse('c').error?.issues[0]).toMatchObject({ code: 'invalid_value', values: ['a', 'b'] });
  });

  it('list takes one value or many and names limits', () => {
    const p = prop.list({ name: { ru: 'Л', en: 'L' }, maxItems: 2, itemMax: 3 });
    expect(p.schema.parse('x')).toEqual(['x']);
    expect(p.schema.parse(['a', '', 'b'])).toEqual(['a', 'b']);
    expect(p.schema.parse(undefined)).toEqual([]);
    expect(p.schema.safeParse(['a', 'b', 'c']).success).toBe(false);
    expect(p.schema.safeParse(['abcd']).success).toBe(false);
  });

  it('number validates ranges', () => {
    const p = prop.number({ name: { ru: 'Ч', en: 'N' }, required: true, min: -90, max: 90 });
    expect(p.schema.parse('55.75')).toBe(55.75);
    expect(z.safeParse(p.schema, '91').success).toBe(false);
  });
});
