import { checkGreenApiUrl } from '../../../../app/settings/green-api-url';
import { createAddressPolicy } from '../../../../lib/address-policy';

describe('the Green-API host a settings page form may name', () => {
  // No DNS in unit tests: every name resolves as listed here.
  const resolved: Record<string, string[]> = {
    '1103.api.green-api.com': ['51.250.1.10'],
    'evil.green-api.com': ['169.254.169.254'],
  };
  const production = {
    addresses: createAddressPolicy({ allowPrivate: false, lookup: async (host) => resolved[host] ?? [] }),
    config: { GREEN_API_HOSTS: ['*.green-api.com', '*.greenapi.com'], ALLOW_PRIVATE_ADDRESSES: false },
  };
  const refusal = async (url: string, deps = production) => {
    try {
      await checkGreenApiUrl(deps, url);
      return 'passed';
    } catch (error) {
      return error instanceof Error && 'code' in error ? `${String(error.code)}: ${error.message}` : String(error);
    }
  };

  it('passes an https host of the allow-list that resolves to a public address', async () => {
    expect(await refusal('https://1103.api.green-api.com')).toBe('passed');
  });

  it('refuses cloud metadata, loopback, other hosts, plain http and a host resolving to a private address', async () => {
    expect(await refusal('http://169.254.169.254/latest/meta-data')).toMatch(/^green_api_url_refused: .*https/);
    expect(await refusal('https://169.254.169.254/')).toMatch(/not a Green-API host/);
    expect(await refusal('https://127.0.0.1:6379/')).toMatch(/not a Green-API host/);
    expect(await refusal('https://green-api.com.attacker.example/')).toMatch(/not a Green-API host/);
    expect(await refusal('https://attackergreen-api.com/')).toMatch(/not a Green-API host/);
    // Plain http would send the instance's token in clear.
    expect(await refusal('http://1103.api.green-api.com')).toMatch(/only https/);
    expect(await refusal('https://evil.green-api.com')).toMatch(/private, loopback or link-local/);
    expect(await refusal('https://user:pw@1103.api.green-api.com')).toMatch(/no user or password/);
  });

  it('lets local simulators through only where ALLOW_PRIVATE_ADDRESSES is on and the host is listed', async () => {
    const local = {
      addresses: createAddressPolicy({ allowPrivate: true }),
      config: { GREEN_API_HOSTS: ['127.0.0.1'], ALLOW_PRIVATE_ADDRESSES: true },
    };
    expect(await refusal('http://127.0.0.1:4100', local)).toBe('passed');
    expect(await refusal('http://169.254.169.254/', local)).toMatch(/not a Green-API host/);
  });
});
