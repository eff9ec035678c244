import { portalRecordOfReply } from '../../../store/portal-store';

describe("a portal record's read (MGET of the record and its config version)", () => {
  it('the record and the version it is stored under; either may be missing', () => {
    expect(portalRecordOfReply(['{"a":1}', 'v1'])).toEqual({ raw: '{"a":1}', readUnder: 'v1' });
    expect(portalRecordOfReply([null, 'v1'])).toEqual({ raw: null, readUnder: 'v1' });
    expect(portalRecordOfReply(['{"a":1}', null])).toEqual({ raw: '{"a":1}', readUnder: null });
  });

  it('a reply of another shape is an error, never "no record" (the portal would read as not installed)', () => {
    for (const reply of [[], null, ['{"a":1}'], ['{"a":1}', 'v1', 'v2'], [1, 'v1']])
      expect(() => portalRecordOfReply(reply)).toThrow(/portal record read: unexpected reply/);
  });
});
