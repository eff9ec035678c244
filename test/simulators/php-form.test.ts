import { encodePhpForm, parsePhpQuery } from '../../simulators/shared/php-form';

describe('encodePhpForm', () => {
  it('matches PHP http_build_query', () => {
    expect(encodePhpForm({ a: { b: [1, 2] }, c: 'x y', d: null, e: [] })).toBe(
      'a%5Bb%5D%5B0%5D=1&a%5Bb%5D%5B1%5D=2&c=x+y',
    );
  });
  it('encodes booleans, pipes, backslashes and tildes like PHP urlencode', () => {
    expect(encodePhpForm({ t: true, f: false, p: 'a|b', s: 'C\\D', w: '~*' })).toBe('t=1&f=0&p=a%7Cb&s=C%5CD&w=%7E%2A');
  });
  it('encodes non-ASCII as UTF-8 percent escapes', () => {
    expect(encodePhpForm({ n: 'Иван' })).toBe('n=%D0%98%D0%B2%D0%B0%D0%BD');
  });
});

describe('parsePhpQuery', () => {
  it('parses bracket keys into nested objects and lists', () => {
    expect(parsePhpQuery('id=5&filter[STAGE_ID]=NEW&select[]=ID&select[]=TITLE&a+b=c%20d')).toEqual({
      id: '5',
      filter: { STAGE_ID: 'NEW' },
      select: ['ID', 'TITLE'],
      a_b: 'c d',
    });
  });
  it('round-trips encodePhpForm output', () => {
    const obj = { fields: { NAME: 'x y', PROPS: { text: { Name: 'Текст' } } }, list: ['a', 'b'] };
    expect(parsePhpQuery(encodePhpForm(obj))).toEqual(obj);
  });
});
