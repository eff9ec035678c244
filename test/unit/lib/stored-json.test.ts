import { z } from 'zod';
import { parseStoredJson } from '../../../lib/stored-json';

const schema = z.object({ n: z.number(), tag: z.string().default('none') });

describe('parseStoredJson: a stored value read by its schema, or null', () => {
  it('reads JSON of the shape, with the schema applied (defaults filled)', () => {
    expect(parseStoredJson(schema, '{"n":1}')).toEqual({ n: 1, tag: 'none' });
  });

  it('is null for a value that is not JSON, or JSON of another shape (an older release wrote it)', () => {
    expect(parseStoredJson(schema, '{n:1')).toBeNull();
    expect(parseStoredJson(schema, '')).toBeNull();
    expect(parseStoredJson(schema, '{"n":"1"}')).toBeNull();
    expect(parseStoredJson(schema, 'null')).toBeNull();
  });
});
