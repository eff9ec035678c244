import { storedWaitSchema } from '../../../waits/stored-wait';
import { END_FIELDS, fromStored, PLAIN_FIELDS, readStoredFields } from '../../../waits/stored-wait-read';
import { defaultReplyOptions } from '../../../waits/wait-schema';

const shape: Record<string, { safeParse(value: unknown): { success: boolean } }> = storedWaitSchema.shape;

/** What a button wait of this release stores, and what the end script adds to it. */
const open = { z: 'wf.1|A1|tok~main~DEAL_5~NEW~mx565bly~mx6ll69y~en~Yes~No', p: '79161234567', m: 'wamid.X' };
const ended = { ...open, status: 'answered', endReason: 'reply', endedAt: '1763900000000', reaskFor: 'wamid.in' };

describe('reading a stored wait without the schema where its writers guarantee the fields', () => {
  it('takes as plain only fields the schema reads as optional strings', () => {
    for (const key of [...PLAIN_FIELDS, 'endReason', 'endedAt']) {
      const field = shape[key];
      expect(field).toBeDefined();
      expect([field?.safeParse('x').success, field?.safeParse(undefined).success]).toEqual([true, true]);
      expect([field?.safeParse(1).success, field?.safeParse(null).success]).toEqual([false, false]);
    }
    expect(END_FIELDS.has('status')).toBe(true);
  });

  it('reads an open and an ended wait of plain fields exactly as the schema does', () => {
    for (const stored of [open, ended, { ...open, wa: '5511', waf: 'p:main:5511', pf: 'p:main:7', reasks: '1' }]) {
      expect(readStoredFields(JSON.parse(JSON.stringify(stored)))).toEqual(storedWaitSchema.parse(stored));
    }
  });

  it('leaves every other field to the schema: unknown ones are dropped, wrong ones refused', () => {
    expect(readStoredFields({ ...open, extra: 'x' })).toEqual(open);
    expect(readStoredFields({ ...open, b: ['A'], g: 'en' })).toEqual({ ...open, b: ['A'], g: 'en' });
    expect(() => readStoredFields({ ...open, p: 79161234567 })).toThrow();
    expect(() => readStoredFields({ ...open, status: 'paused' })).toThrow();
    expect(() => readStoredFields({ ...open, k: 'x' })).toThrow();
    expect(() => readStoredFields([open])).toThrow();
    expect(() => readStoredFields(null)).toThrow();
    expect(() => fromStored('m1', 'abc', '"a string"')).toThrow();
  });

  it('gives each read wait options of its own', () => {
    const first = fromStored('m1', 'abc', JSON.stringify(open));
    const second = fromStored('m1', 'abc', JSON.stringify(open));
    expect(first.options).toEqual(defaultReplyOptions);
    expect(first.options).not.toBe(second.options);
    expect(first.options.keywords).not.toBe(second.options.keywords);
    expect(first.baseReturn).toEqual({ status: 'sent', delivery_status: 'sent', message_id: 'wamid.X' });
    first.baseReturn.extra = 'x';
    expect(second.baseReturn.extra).toBeUndefined();
  });
});
