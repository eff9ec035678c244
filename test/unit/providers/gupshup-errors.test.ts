import { gupshupMetaCode, mapGupshupCode } from '../../../providers/gupshup/gupshup-errors';

// GupShup's "user inactive for session message" family (waba-wire.md §5.6, GupShup's error-code
// table): only 1005 is a free-form message outside the window, which a template answers. The others
// refuse a template too, so they must not send the window fallback (131047 is what takes it).
describe('GupShup failure codes', () => {
  it('1005 (outside the window, not a template) is the closed window', () => {
    expect(gupshupMetaCode(1005)).toBe(131047);
    expect(mapGupshupCode(1005, 'Template Match Failed')).toMatchObject({ code: 'window_closed', retryable: false });
  });

  it.each([
    [1004, 'provider_error'],
    [1006, 'undeliverable'],
    [1007, 'undeliverable'],
    [1008, 'undeliverable'],
  ])('%s is not the closed window: %s, not retried, with GupShup reason', (code, ours) => {
    expect(gupshupMetaCode(code)).not.toBe(131047);
    const error = mapGupshupCode(code, 'reason from GupShup');
    expect(error).toMatchObject({ code: ours, retryable: false, providerCode: code });
    expect(error.message).toContain('reason from GupShup');
  });
});
