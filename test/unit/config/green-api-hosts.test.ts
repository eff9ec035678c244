import { isGreenApiInstanceHost } from '../../../config/green-api-hosts';
import { loadConfig } from '../../../config/load-config';
import { hostMatchesAny } from '../../../lib/host-pattern';
import { validEnv } from '../../helpers/valid-env';

describe("Green-API's domains: one list for GREEN_API_HOSTS' default and the instance-host rule", () => {
  it('an instance host on either domain is one (any case, a trailing dot); the universal host and relays are not', () => {
    for (const host of ['7103.api.green-api.com', '7105.api.greenapi.com', '7103.API.GreenAPI.com.'])
      expect(isGreenApiInstanceHost(host)).toBe(true);
    for (const host of [
      'api.green-api.com',
      'api.greenapi.com',
      '7103.api.green-api.com.evil.example',
      'relay.example.com',
    ])
      expect(isGreenApiInstanceHost(host)).toBe(false);
  });

  it("GREEN_API_HOSTS' default names every instance host the rule knows", () => {
    const hosts = loadConfig(validEnv).GREEN_API_HOSTS;
    expect(hosts).toEqual(['*.green-api.com', '*.greenapi.com']);
    expect(hostMatchesAny('7105.api.greenapi.com', hosts)).toBe(true);
    expect(hostMatchesAny('7103.api.green-api.com', hosts)).toBe(true);
  });
});
