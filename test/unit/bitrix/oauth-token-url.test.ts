import { oauthTokenUrl } from '../../../bitrix/refresh-tokens';

describe('oauthTokenUrl', () => {
  it('uses the portal server_endpoint only when it is a Bitrix24 OAuth server', () => {
    expect(oauthTokenUrl({ serverEndpoint: 'https://oauth.bitrix.info/rest/' })).toBe(
      'https://oauth.bitrix.info/oauth/token/',
    );
    expect(oauthTokenUrl({ serverEndpoint: 'https://oauth.bitrix24.tech/rest/' })).toBe(
      'https://oauth.bitrix24.tech/oauth/token/',
    );
  });

  it('never sends the client secret to another host', () => {
    expect(() => oauthTokenUrl({ serverEndpoint: 'https://evil.example.com/rest/' })).toThrow(
      /refusing to refresh tokens at evil.example.com/,
    );
    expect(() => oauthTokenUrl({ serverEndpoint: 'http://oauth.bitrix.info/rest/' })).toThrow(/refusing/);
  });

  it('the configured override wins', () => {
    expect(oauthTokenUrl({ serverEndpoint: 'https://evil.example.com/rest/' }, 'http://127.0.0.1:9000/')).toBe(
      'http://127.0.0.1:9000/oauth/token/',
    );
  });
});
