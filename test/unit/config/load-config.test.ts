import { ConfigError, loadConfig } from '../../../config/load-config';
import { validEnv } from '../../helpers/valid-env';

const valid = validEnv;

describe('loadConfig', () => {
  it('parses a valid environment with defaults', () => {
    const config = loadConfig(valid);
    expect(config.PUBLIC_URL).toBe('https://wa.example.com');
    expect(config.PORT).toBe(3000);
    expect(config.LINE_RATE_PER_SEC).toBe(80);
    expect(config.WA_GRAPH_VERSION).toBe('v25.0');
  });

  it('names every bad variable', () => {
    const run = () => loadConfig({ ...valid, SECRETS_KEY: 'short', PORT: 'http', B24_CLIENT_ID: undefined });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/SECRETS_KEY: must be 32 bytes/);
    expect(run).toThrow(/PORT:/);
    expect(run).toThrow(/B24_CLIENT_ID:/);
  });

  it('ALLOW_PRIVATE_ADDRESSES is off unless set; a value that is not a switch is named', () => {
    expect(loadConfig(valid).ALLOW_PRIVATE_ADDRESSES).toBe(false);
    expect(loadConfig({ ...valid, ALLOW_PRIVATE_ADDRESSES: '1' }).ALLOW_PRIVATE_ADDRESSES).toBe(true);
    expect(loadConfig({ ...valid, ALLOW_PRIVATE_ADDRESSES: '0' }).ALLOW_PRIVATE_ADDRESSES).toBe(false);
    expect(() => loadConfig({ ...valid, ALLOW_PRIVATE_ADDRESSES: 'maybe' })).toThrow(/ALLOW_PRIVATE_ADDRESSES/);
  });

  it('API_TOKEN_KEY is optional; given, it must be 32 bytes', () => {
    expect(loadConfig(valid).API_TOKEN_KEY).toBeUndefined();
    expect(loadConfig({ ...valid, API_TOKEN_KEY: 'c'.repeat(64) }).API_TOKEN_KEY).toBe('c'.repeat(64));
    expect(() => loadConfig({ ...valid, API_TOKEN_KEY: 'abc' })).toThrow(/API_TOKEN_KEY: must be 32 bytes/);
  });

  it('refuses a non-http public URL', () => {
    expect(() => loadConfig({ ...valid, PUBLIC_URL: 'ftp://x.example.com' })).toThrow(/PUBLIC_URL/);
  });
});
