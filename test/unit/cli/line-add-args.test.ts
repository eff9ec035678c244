import { parseCommandLine } from '../../../cli/cli-args';
import { parseLineAdd } from '../../../cli/line-add-args';

const GUPSHUP = ['--provider', 'gupshup', '--app-name', 'Shop', '--api-key', 'k', '--source', '+7 900 123-45-67'];

describe('lines add flags', () => {
  it("the command line takes GupShup's flags (and lines health, attach and detach)", () => {
    const { flags } = parseCommandLine(['lines', 'add', '--portal', 'm1', ...GUPSHUP]);
    expect(parseLineAdd(flags)).toMatchObject({ provider: 'gupshup', phoneNumberId: 'Shop', source: '79001234567' });
    expect(parseCommandLine(['lines', 'health', 'main', '--portal', 'm1']).command).toBe('lines health');
    expect(parseCommandLine(['lines', 'attach', 'main', '--portal', 'm1', '--open-line', '3']).flags).toEqual({
      portal: 'm1',
      'open-line': '3',
    });
    expect(parseCommandLine(['lines', 'detach', 'main', '--portal', 'm1']).command).toBe('lines detach');
  });

  it('a flag of another provider is an error naming it and its provider, valid or not', () => {
    const greenApi = { portal: 'm1', provider: 'green-api', 'id-instance': '1101000001', 'api-token': 't' };
    expect(() => parseLineAdd({ ...greenApi, 'waba-id': 'abc' })).toThrow(
      '--waba-id is not a flag of --provider green-api (it belongs to cloud)',
    );
    expect(() => parseLineAdd({ ...greenApi, source: '79001234567' })).toThrow(
      '--source is not a flag of --provider green-api (it belongs to gupshup)',
    );
    const cloud = { portal: 'm1', 'phone-number-id': '1', 'access-token': 't' };
    expect(() => parseLineAdd({ ...cloud, 'api-url': 'https://relay.example.com' })).toThrow(
      '--api-url is not a flag of --provider cloud (it belongs to green-api, gupshup)',
    );
    expect(() => parseLineAdd({ ...cloud, provider: 'meta' })).toThrow(
      '--provider must be cloud, green-api or gupshup',
    );
    expect(parseLineAdd({ ...cloud, 'waba-id': '42' })).toMatchObject({ provider: 'cloud', wabaId: '42' });
  });
});
