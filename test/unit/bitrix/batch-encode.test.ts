import { Readable } from 'node:stream';
import fc from 'fast-check';
import { stringify } from 'qs-esm';
import { batchRow, wellFormed } from '../../../bitrix/batch-encode';
import { answerExcerpt, readCapped } from '../../../bitrix/batch-post';

// The direct batch path must write each row as b24jssdk 2.2.0 does (`qs-esm` stringify with its
// defaults, abstract-processing.mjs `_buildRow`): the same command reads the same to the portal.
describe('batch rows: encoded as the SDK encodes them', () => {
  const sdkRow = (method: string, params: Record<string, unknown>) => `${method}?${stringify(params)}`;

  it.each<[string, Record<string, unknown>]>([
    ['strings and numbers', { event_token: 'wf|A1|t.s', n: 12, f: 1.5, neg: -3 }],
    ['reserved characters', { v: "a b&c=d+e~f!g'h(i)j*k%l/m?n#o[p]q", 'k[x] y': 'z' }],
    ['unicode', { text: 'Отправлено 😀 ✓ 中文', ключ: 'значение' }],
    ['booleans', { yes: true, no: false }],
    ['null and undefined', { a: null, b: undefined, c: 'x' }],
    ['dates', { at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)) }],
    ['nested', { return_values: { status: 'sent', ids: ['1', 2, true], deep: { x: { y: null } } } }],
    ['empty values', { empty: '', list: [], obj: {} }],
    ['reserved characters in nested keys', { 'a*b': { "c'd": [{ 'e(f)': 'g!h' }, 'x y'], 'к~л': { '-_.': '~' } } }],
  ])('%s: the same row as the SDK writes', (_name, params) => {
    expect(batchRow('bizproc.event.send', params)).toBe(sdkRow('bizproc.event.send', params));
  });

  it('writes any well-formed names and values as the SDK does (names encoded piecewise, values tested first)', () => {
    // Full Unicode and every ASCII character, so reserved, unreserved and multi-byte ones all meet the fast path.
    const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary-ascii' }));
    const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node')), fc.dictionary(text, tie('node'))),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(text, value), (params) => {
        expect(batchRow('m', params)).toBe(sdkRow('m', params));
      }),
      { numRuns: 300 },
    );
  });

  it('a lone surrogate becomes U+FFFD instead of throwing URIError', () => {
    const cut = `${'a'.repeat(3)}😀`.slice(0, 4);
    expect(() => encodeURIComponent(cut)).toThrow(URIError);
    expect(batchRow('m', { return_values: { answer: cut } })).toBe('m?return_values%5Banswer%5D=aaa%EF%BF%BD');
    expect(batchRow('m', { 'k\udc00': 'v' })).toBe('m?k%EF%BF%BD=v');
    // Well-formed, both encoders agree.
    expect(batchRow('m', { a: cut.toWellFormed() })).toBe(sdkRow('m', { a: cut.toWellFormed() }));
  });

  it('a value no parameter can be is refused with a clear error', () => {
    expect(() => batchRow('m', { a: new Map() })).toThrow(/a: a Map is no parameter/);
    expect(() => batchRow('m', { a: () => 1 })).toThrow(/a function is no parameter/);
  });

  it('wellFormed cleans every string of a call’s parameters, keeping the shape', () => {
    const at = new Date(0);
    expect(wellFormed({ a: 'x\ud83d', b: ['\udc00', 1, null], c: { d: true }, at })).toEqual({
      a: 'x\ufffd',
      b: ['\ufffd', 1, null],
      c: { d: true },
      at,
    });
  });
});

describe('batch answers: size cap and excerpt', () => {
  it('reads an answer up to the cap and refuses a larger one', async () => {
    await expect(readCapped(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 4, 200)).resolves.toBe('abcd');
    await expect(readCapped(Readable.from([Buffer.from('ab'), Buffer.from('cde')]), 4, 200)).rejects.toMatchObject({
      code: 'ERR_BAD_RESPONSE',
    });
  });

  it('an error page gives a short, one-line, redacted excerpt', () => {
    const page = `<html>\n<body>Blocked: POST /rest/batch auth=abc123secret&x=1 {"access_token": "tok-9"} ${'z'.repeat(500)}</body>`;
    const excerpt = answerExcerpt(page);
    expect(excerpt.length).toBeLessThanOrEqual(120);
    expect(excerpt).not.toMatch(/abc123secret|tok-9|\n/);
    expect(excerpt).toContain('auth=[redacted]');
  });
});
