/** The least environment loadConfig accepts: what the config tests start from. */
export const validEnv = {
  PUBLIC_URL: 'https://wa.example.com/',
  B24_CLIENT_ID: 'local.1',
  B24_CLIENT_SECRET: 'secret',
  WA_APP_SECRET: 'app-secret-1',
  WA_VERIFY_TOKEN: 'verify-token-1',
  SECRETS_KEY: 'a'.repeat(64),
};
