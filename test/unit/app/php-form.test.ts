import fc from 'fast-check';
import qs from 'qs';
import { prototypeKeys } from '../../../app/middleware/body-checks';
import { countFields, parseFormFast, parsePhpForm } from '../../../app/middleware/php-form';
import { encodePhpForm } from '../../../simulators/shared/php-form';

const options = { depth: 8, parameterLimit: 20_000 };

/** What body-parser's `extended` urlencoded parser (qs) makes of a body: the reference. */
function viaQs(body: string): unknown {
  const fields = countFields(body, options.parameterLimit) ?? 0;
  return qs.parse(body, {
    allowPrototypes: true,
    arrayLimit: Math.max(100, fields),
    depth: options.depth,
    charset: 'utf-8',
    parameterLimit: options.parameterLimit,
    strictDepth: true,
  });
}

function lean(body: string): unknown {
  return parsePhpForm(body, countFields(body, options.parameterLimit) ?? 0, options);
}

// Texts as portal users type them: Cyrillic, emoji, spaces, punctuation PHP escapes.
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('', 'Иван Петров', '+7 (900) 123-45-67', 'a&b=c', '100%', 'x+y', '[1]', '😀', 'DEAL_12'),
);
// Prototype names are never Bitrix24 fields (the door drops them; the lean parser leaves them to qs).
const fieldName = fc.oneof(
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/).filter((name) => !prototypeKeys.has(name)),
  fc.constantFrom('member_id', 'ID', 'FIELDS', 'UF_CRM_1', 'PROPERTY_VALUES', 'text'),
);
/** Robot properties, events' data[FIELDS], document ids: maps of texts, lists, maps of lists. */
const leaf = fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 4 }));
const bitrixForm = fc.dictionary(
  fieldName,
  fc.oneof(
    leaf,
    fc.dictionary(fieldName, fc.oneof(leaf, fc.dictionary(fieldName, leaf, { maxKeys: 3 })), { maxKeys: 5 }),
    fc.array(fc.dictionary(fieldName, text, { minKeys: 1, maxKeys: 3 }), { minLength: 1, maxLength: 3 }),
  ),
  { maxKeys: 8 },
);

describe('lean PHP form parser', () => {
  it('parses what Bitrix24 sends (http_build_query) exactly as qs, without falling back to it', () => {
    fc.assert(
      fc.property(bitrixForm, (form) => {
        const body = encodePhpForm(form);
        const fast = parseFormFast(body, options);
        expect(fast).not.toBeNull();
        expect(fast).toEqual(viaQs(body));
      }),
      { numRuns: 500 },
    );
  });

  it('appended lists (`a[]=x`), unescaped brackets and a robot call parse as qs does', () => {
    const bodies = [
      'select[]=ID&select[]=TITLE&filter[STAGE_ID]=NEW',
      'document_id[0]=crm&document_id[1]=CCrmDocumentDeal&document_id[2]=DEAL_1&auth[member_id]=m1',
      'properties[buttons][0][text]=Да&properties[buttons][0][id]=1&properties[buttons][1][text]=Нет',
      'a=1&b=&c&d=%D0%98%D0%B2%D0%B0%D0%BD+%2B',
    ];
    for (const body of bodies) {
      expect(parseFormFast(body, options)).not.toBeNull();
      expect(lean(body)).toEqual(viaQs(body));
    }
  });

  it('any body at all parses as qs does (the lean parser hands odd shapes to qs)', () => {
    const piece = fc.constantFrom(
      'a',
      'b',
      '0',
      '1',
      '01',
      '[',
      ']',
      '[]',
      '=',
      '&',
      '%5B',
      '%5d',
      '%',
      '%zz',
      '+',
      ' ',
      'И',
      '__proto__',
      'toString',
      '[0]',
      '[x]',
      ']=',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const body = pieces.join('');
        let expected: unknown;
        try {
          expected = viaQs(body);
        } catch (error) {
          expect(() => lean(body)).toThrow((error as Error).message);
          return;
        }
        expect(lean(body)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('repeated keys, lists out of order and nested appends go to qs', () => {
    for (const body of ['a=1&a=2', 'a[1]=x&a[0]=y', 'a[0]=x&a[]=y', 'a[][b]=1', 'a[b]=1&a=2', 'a[0]=x&a[2]=z']) {
      expect(parseFormFast(body, options)).toBeNull();
      expect(lean(body)).toEqual(viaQs(body));
    }
  });
});
