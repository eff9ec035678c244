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
    [368, 'account_blocked', false],
    [131000, 'provider_unavailable', true],
    [1, 'provider_unavailable', true],
    [2, 'provider_unavailable', true],
    [131048, 'spam_rate_limited', false],
    [131049, 'marketing_limit', false],
    [131050, 'marketing_opted_out', false],
    [131052, 'media_download_failed', false],
    [131053, 'media_upload_failed', false],
    [131031, 'account_locked', false],
    [132005, 'template_text_too_long', false],
    [132007, 'template_policy_violation', false],
    [132008, 'template_param_format', false],
    [132012, 'template_param_type', false],
    [132015, 'template_paused', false],
    [132016, 'template_disabled', false],
    [132068, 'flow_blocked', false],
    [132069, 'flow_throttled', true],
  ])('code %i → %s (retryable %s)', (code, ours, retryable) => {
    const error = mapCloudApiError(code, `(#${code}) title`, 'details');
    expect(error.code).toBe(ours);
    expect(error.retryable).toBe(retryable);
  });

  it('131049 is a limit, not the robot data: not retried now, a day named as the time to try again', () => {
    const error = mapCloudApiError(131049, '(#131049) title');
    expect(error).toMatchObject({ retryable: false, kind: 'rate_limited', retryAfterMs: 86_400_000 });
    expect(error.text('en')).toMatch(/try again in 24 hours/);
    expect(error.text('ru')).toMatch(/через 24 часа/);
  });

  it('a locked or blocked account is forbidden, not bad input; each advice names what to do', () => {
    expect(mapCloudApiError(131031, 'x').kind).toBe('forbidden');
    expect(mapCloudApiError(368, 'x').kind).toBe('forbidden');
    expect(mapCloudApiError(131048, 'x').kind).toBe('rate_limited');
    expect(mapCloudApiError(132000, 'x').kind).toBe('bad_input');
    expect(mapCloudApiError(131053, 'x').text('en')).toMatch(/fix the file/);
    expect(mapCloudApiError(131050, 'x').text('ru')).toMatch(/отказался/);
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
