import { mapCloudApiError } from '../../../providers/cloud-api/cloud-api-errors';

describe('mapCloudApiError', () => {
  it.each([
    [131047, 'window_closed', false],
    [130429, 'rate_limited', true],
    [131056, 'rate_limited', true],
    [190, 'line_auth_failed', false],
    [131026, 'undeliverable', false],
    [131051, 'unsupported_message', false],
    [100, 'invalid_parameter', false],
    [132000, 'template_params_mismatch', false],
    [132001, 'template_not_found', false],
    [132015, 'template_paused', false],
    [132016, 'template_paused', false],
    [368, 'account_blocked', false],
    [131000, 'provider_unavailable', true],
    [1, 'provider_unavailable', true],
    [2, 'provider_unavailable', true],
  ])('code %i → %s (retryable %s)', (code, ours, retryable) => {
    const error = mapCloudApiError(code, `(#${code}) title`, 'details');
    expect(error.code).toBe(ours);
    expect(error.retryable).toBe(retryable);
  });

  it("names an unknown code for people, keeping Meta's English text for the app's own log", () => {
    const error = mapCloudApiError(999999, '(#999999) Something odd', 'odd details');
    expect(error.code).toBe('provider_error');
    expect(error.text('en')).toBe('WhatsApp error: WhatsApp code 999999');
    expect(error.text('ru')).toBe('Ошибка WhatsApp: код WhatsApp 999999');
    expect(error.message).toContain('(#999999) odd details');
  });

  it('speaks Russian', () => {
    expect(mapCloudApiError(131047, 'x').text('ru')).toMatch(/24 часов/);
  });
});
