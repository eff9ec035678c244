import { z } from 'zod';
import { callbackSchema } from '../../../bitrix/callback-outbox';

const callback = { eventToken: 'wf.1|A1|tok', logMessage: 'answered', waitId: 'w1', attempts: 0, queuedAt: 1 };
/** What the return values were read with before (z.record rebuilds the object key by key). */
const asRecord = z.record(z.string(), z.string());

describe('a queued callback read back from the outbox', () => {
  it('reads return values exactly as a record of strings would', () => {
    for (const returnValues of [{}, { status: 'answered', answer: 'Да', '': '' }, { a: 'x', b: '' }]) {
      const read = callbackSchema.parse(JSON.parse(JSON.stringify({ ...callback, returnValues })));
      expect(read.returnValues).toEqual(asRecord.parse(returnValues));
    }
  });

  it('refuses return values a record of strings refuses', () => {
    for (const returnValues of [[], ['a'], { status: 1 }, { status: null }, 'answered', null]) {
      expect(asRecord.safeParse(returnValues).success).toBe(false);
      expect(callbackSchema.safeParse({ ...callback, returnValues }).success).toBe(false);
    }
  });
});
