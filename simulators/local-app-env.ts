/**
 * The app's environment against the local simulators: one place for what the demo, the
 * integration harness, the fault tests and the bench each wrote out. Only names the app's
 * settings (strings), so the simulators stay free of the app's code.
 */
export interface LocalAppEnvOptions {
  port: number;
  redisUrl: string;
  /** The Bitrix24 portal simulator's base URL (its OAuth server too). */
  portalUrl: string;
  /** The Cloud API simulator's Graph root. */
  graphUrl: string;
  /** The GupShup simulator's API host (GupShup lines that name none use it). */
  gupshupUrl?: string;
  clientId: string;
  clientSecret: string;
  appSecret: string;
  verifyToken: string;
  /** 64 hex characters (32 bytes). */
  secretsKey: string;
  logLevel?: string;
  lineRatePerSec?: number;
  restLimit?: { drainPerSec: number; burst: number };
  graphVersion?: string;
}

/** The environment block (`process.env` form) that starts the app's processes against the simulators. */
export function localAppEnv(o: LocalAppEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    PORT: String(o.port),
    PUBLIC_URL: `http://127.0.0.1:${o.port}`,
    REDIS_URL: o.redisUrl,
    B24_CLIENT_ID: o.clientId,
    B24_CLIENT_SECRET: o.clientSecret,
    B24_OAUTH_URL: o.portalUrl,
    WA_GRAPH_URL: o.graphUrl,
    WA_GRAPH_VERSION: o.graphVersion ?? 'v25.0',
    WA_APP_SECRET: o.appSecret,
    WA_VERIFY_TOKEN: o.verifyToken,
    SECRETS_KEY: o.secretsKey,
    LOG_LEVEL: o.logLevel ?? 'warn',
    // The simulators listen on 127.0.0.1, which production refuses to call.
    ALLOW_PRIVATE_ADDRESSES: '1',
  };
  if (o.gupshupUrl !== undefined) env.GUPSHUP_API_URL = o.gupshupUrl;
  if (o.lineRatePerSec !== undefined) env.LINE_RATE_PER_SEC = String(o.lineRatePerSec);
  if (o.restLimit) {
    env.B24_REST_DRAIN_PER_SEC = String(o.restLimit.drainPerSec);
    env.B24_REST_BURST = String(o.restLimit.burst);
  }
  return env;
}
