import { maskedSettingsPath } from '../../../../app/settings/settings-errors';

describe('settings error log: no page session in it', () => {
  it('masks the session segment of Bull Board paths and drops the query', () => {
    expect(maskedSettingsPath('/b24/settings/queues/eyJtZW1iZXIi.c2ln/api/queues?x=1')).toBe(
      '/b24/settings/queues/***/api/queues',
    );
    expect(maskedSettingsPath('/b24/settings/api/lines')).toBe('/b24/settings/api/lines');
  });
});
