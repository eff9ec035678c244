import { dropPrototypeKeys, isUtf8Form, percentDecoded } from '../../../app/middleware/body-checks';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('form bodies: UTF-8 as sent and once percent-decoded', () => {
  it.each([
    ['plain ASCII', 'a=1&b=two'],
    ['encoded Cyrillic', `text=${encodeURIComponent('Привет 👋')}`],
    ['raw UTF-8', Buffer.from('text=Привет').toString('latin1')],
    ['a % that is not an escape', 'a=100%&b=%zz&c=%'],
    ['an escape cut by the end', 'a=%4'],
    ['raw UTF-8 between ASCII escapes only', Buffer.from('text=%22Привет%2C%20мир%22').toString('latin1')],
  ])('accepts %s', (_name, body) => {
    expect(isUtf8Form(bytes(body))).toBe(true);
  });

  it.each([
    ['a raw 0xFF', 'a=\xff'],
    ['a bad continuation, encoded', 'a=%C3%28'],
    ['an overlong slash, encoded', 'a=%C0%AF'],
    ['an encoded surrogate', 'a=%ED%A0%80'],
    ['a sequence cut short, encoded', 'a=%E2%82&b=1'],
    ['a raw é followed by an encoded stray continuation', 'a=\xc3\xa9%A9'],
    ['a raw lead byte completed by an encoded byte', 'a=\xc3%A9'],
    ['invalid bytes in a key', '%FF[x]=1'],
  ])('refuses %s', (_name, body) => {
    expect(isUtf8Form(bytes(body))).toBe(false);
  });

  it('percent-decodes bytes, upper or lower case, and leaves a % without two hex digits', () => {
    expect(Buffer.from(percentDecoded(bytes('%41%6a%2B+%zz%4')))).toEqual(bytes('Aj++%zz%4'));
  });
});

describe('dropPrototypeKeys', () => {
  it('drops Object.prototype names and "prototype" at every level, in arrays too, and keeps the rest', () => {
    const body = JSON.parse(
      '{"__proto__":{"x":1},"constructor":{"prototype":{"x":1}},"a":{"toString":"1","b":[{"hasOwnProperty":1,"c":2}]},"prototype":1,"d":"e"}',
    );
    expect(dropPrototypeKeys(body)).toBe(true);
    expect(body).toEqual({ a: { b: [{ c: 2 }] }, d: 'e' });
    expect(Object.keys(body)).toEqual(['a', 'd']);
  });

  it('refuses nesting deeper than the limit without walking it (a million levels fit in 2 MB)', () => {
    const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
    expect(dropPrototypeKeys(deep, 32)).toBe(false);
    expect(dropPrototypeKeys(JSON.parse(`${'['.repeat(32)}${']'.repeat(32)}`), 32)).toBe(true);
    expect(dropPrototypeKeys(JSON.parse(`${'['.repeat(33)}${']'.repeat(33)}`), 32)).toBe(false);
  });

  it('leaves scalars and empty bodies alone', () => {
    expect(dropPrototypeKeys(undefined)).toBe(true);
    expect(dropPrototypeKeys('x')).toBe(true);
    expect(dropPrototypeKeys({})).toBe(true);
  });
});
