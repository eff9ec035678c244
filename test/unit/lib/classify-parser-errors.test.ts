import createError from 'http-errors';
import { statusOfKind } from '../../../app/middleware/error-handler';
import { AppError } from '../../../lib/errors/app-error';
import { classifyError, parserErrorType } from '../../../lib/errors/classify-error';

/** What the door answers for an error: status, code, words. */
const answer = (error: unknown) => {
  const failure = classifyError(error);
  return {
    status: statusOfKind[failure.kind],
    code: failure.code,
    retryable: failure.retryable,
    text: failure.message,
  };
};

// Errors shaped exactly as body-parser 2 / raw-body raise them (http-errors with `type` and, often, the body).
const body = 'auth[access_token]=SECRET-AT-123';
const cases: Array<[string, unknown, number, string]> = [
  [
    'entity.too.large',
    createError(413, 'request entity too large', { type: 'entity.too.large', body }),
    413,
    'payload_too_large',
  ],
  // body-parser says 413 for too many fields; the size is fine, the form is not.
  ['parameters.too.many', createError(413, 'too many parameters', { type: 'parameters.too.many' }), 400, 'bad_form'],
  [
    'querystring.parse.rangeError',
    createError(400, 'The input exceeded the depth', { type: 'querystring.parse.rangeError', body }),
    400,
    'bad_form',
  ],
  [
    'entity.parse.failed (JSON)',
    createError(400, new SyntaxError(`Unexpected token 'S', "${body}" is not valid JSON`), {
      type: 'entity.parse.failed',
      body,
    }),
    400,
    'bad_json',
  ],
  [
    'entity.parse.failed (form)',
    createError(400, new Error('qs failed'), { type: 'entity.parse.failed', body }),
    400,
    'bad_form',
  ],
  [
    'charset.unsupported',
    createError(415, 'unsupported charset "KOI8-R"', { type: 'charset.unsupported', charset: 'koi8-r' }),
    415,
    'unsupported_media_type',
  ],
  [
    'encoding.unsupported',
    createError(415, 'unsupported content encoding "compress"', { type: 'encoding.unsupported' }),
    415,
    'unsupported_media_type',
  ],
  ['request.aborted', createError(400, 'request aborted', { type: 'request.aborted' }), 400, 'bad_request'],
  [
    'request.size.invalid',
    createError(400, 'request size did not match content length', { type: 'request.size.invalid' }),
    400,
    'bad_request',
  ],
  [
    'a corrupt gzip stream (no type)',
    createError(400, Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR' })),
    400,
    'bad_request',
  ],
  ['an unknown 415', createError(415, 'nope'), 415, 'unsupported_media_type'],
  ['an unknown 413', createError(413, 'nope'), 413, 'payload_too_large'],
];

describe('body-parser failures map to one stable 4xx each', () => {
  it.each(cases)('%s', (_type, error, status, code) => {
    expect(answer(error)).toMatchObject({ status, code, retryable: false });
  });

  it('answers and logs fixed words, never the parser message (a JSON SyntaxError quotes the body)', () => {
    for (const [, error] of cases) expect(answer(error).text).not.toMatch(/SECRET|Unexpected|qs failed|KOI8/);
  });

  it('a parser message that names a network error is still the client mistake it is, not "Redis is down"', () => {
    const error = createError(400, new SyntaxError('Unexpected token \'E\', "{"a":ECONNRESET}" is not valid JSON'), {
      type: 'entity.parse.failed',
    });
    expect(answer(error)).toMatchObject({ status: 400, code: 'bad_json' });
  });

  it("a verify hook's AppError keeps its own code after body-parser wraps it (403, entity.verify.failed)", () => {
    const refused = new AppError('bad_encoding', 'request body is not valid UTF-8', { kind: 'bad_input' });
    const wrapped = createError(403, refused, { type: 'entity.verify.failed', body });
    expect(answer(wrapped)).toMatchObject({ status: 400, code: 'bad_encoding' });
    expect(parserErrorType(wrapped)).toBe('entity.verify.failed');
  });

  it('reads the parser type only from errors that have one', () => {
    expect(parserErrorType(createError(413, 'x', { type: 'entity.too.large' }))).toBe('entity.too.large');
    expect(parserErrorType(new Error('x'))).toBeUndefined();
    expect(parserErrorType({ type: 'entity.too.large' })).toBeUndefined();
  });
});
