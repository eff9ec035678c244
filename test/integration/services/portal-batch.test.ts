import { Redis } from 'ioredis';
import { loadConfig } from '../../../config/load-config';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createRuntime, type Runtime } from '../../../runtime/create-runtime';
import { type BitrixPortalSimulator, createBitrixPortalSimulator } from '../../../simulators/bitrix24';
import { CLIENT_ID, CLIENT_SECRET } from '../../helpers/harness';

// `batch` posted directly (bitrix/batch-post.ts) against the strict portal simulator: the PHP
// bracket rows are taken as the SDK's were, a refused token goes through the SDK's refresh, and
// a token near its expiry is refreshed before the call.
describe('portal batch: the direct path (real Redis, portal simulator)', () => {
  const redisUrl = process.env.TEST_REDIS_URL ?? '';
  let portal: BitrixPortalSimulator;
  let redis: Redis;
  let rt: Runtime;
  let memberId: string;

  beforeEach(async () => {
    portal = createBitrixPortalSimulator({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      languageId: 'ru',
      restLimit: { drainPerSec: 1000, burst: 1000 },
    });
    const { url } = await portal.start(0);
    const prefix = `pb${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`;
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const config = loadConfig({
      PUBLIC_URL: 'http://127.0.0.1:1',
      REDIS_URL: redisUrl,
      B24_CLIENT_ID: CLIENT_ID,
      B24_CLIENT_SECRET: CLIENT_SECRET,
      B24_OAUTH_URL: url,
      WA_APP_SECRET: 'app-secret',
      WA_VERIFY_TOKEN: 'verify-token',
      SECRETS_KEY: 'c'.repeat(64),
      LOG_LEVEL: 'silent',
      B24_REST_DRAIN_PER_SEC: '1000',
      B24_REST_BURST: '1000',
      ALLOW_PRIVATE_ADDRESSES: '1',
    });
    rt = createRuntime({
      config,
      redis,
      log: createLogger('silent'),
      keyPrefix: prefix,
      queuePrefix: `bull-${prefix}`,
    });
    const t = portal.currentTokens();
    memberId = t.memberId;
    await rt.portals.save({
      memberId,
      domain: t.domain,
      clientEndpoint: t.clientEndpoint,
      serverEndpoint: t.serverEndpoint,
      applicationToken: t.applicationToken,
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      expiresAt: t.expires * 1000,
      scope: t.scope,
      userId: t.userId,
      languageId: 'ru',
      installedAt: Date.now(),
    });
    await rt.bitrix(memberId).call('bizproc.robot.add', {
      CODE: 'wa_batch_test',
      HANDLER: 'https://app.example/robot',
      NAME: { ru: 'Тест', en: 'Test' },
      USE_SUBSCRIPTION: 'Y',
      PROPERTIES: { text: { Name: 'Text', Type: 'string' } },
      RETURN_PROPERTIES: { status: { Name: 'Status', Type: 'string' }, message_id: { Name: 'Id', Type: 'string' } },
    });
  });
  afterEach(async () => {
    await rt.queues.close();
    redis.disconnect();
    await portal.stop();
  });

  /** Two robot runs waiting for their results. */
  const twoRuns = () =>
    [1, 2].map((i) => {
      const dealId = portal.createDeal({ stageId: 'NEW' });
      const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
      const { fields } = portal.prepareRun({ code: 'wa_batch_test', documentId, properties: { text: `t${i}` } });
      return String(fields.event_token);
    });
  const send = (tokens: string[], logMessage: string) =>
    rt.bitrix(memberId).batch(
      Object.fromEntries(
        tokens.map((eventToken, i) => [
          `c${i}`,
          [
            'bizproc.event.send',
            {
              event_token: eventToken,
              return_values: { status: 'sent', message_id: `wamid.${i}&x=[1] +~` },
              log_message: logMessage,
            },
          ] as [string, Record<string, unknown>],
        ]),
      ),
    );

  it('rows in the PHP bracket form reach the portal intact (nested values, unicode, reserved characters)', async () => {
    const tokens = twoRuns();
    const outcome = await send(tokens, 'Отправлено: 100% & готово');
    expect(outcome.errors).toEqual({});
    expect(Object.keys(outcome.results)).toEqual(['c0', 'c1']);
    const sends = portal.eventSends();
    expect(sends.map((s) => [s.eventToken, s.outcome, s.logMessage, s.returnValues.message_id])).toEqual([
      [tokens[0], 'accepted', 'Отправлено: 100% & готово', 'wamid.0&x=[1] +~'],
      [tokens[1], 'accepted', 'Отправлено: 100% & готово', 'wamid.1&x=[1] +~'],
    ]);
    // One request, no refresh.
    expect(portal.stats().batchCalls).toBe(1);
    expect(portal.stats().oauthRequests).toBe(0);
  });

  it('a row the portal refuses is that row’s error; a token the portal refuses is refreshed and the batch sent again', async () => {
    const [token] = twoRuns();
    const first = await send([token ?? '', 'no-such-token'], 'ok');
    expect(Object.keys(first.results)).toEqual(['c0']);
    expect(first.errors.c1?.code).toBeTruthy();
    // The stored token still looks fresh, but the portal no longer takes it.
    portal.expireAccessToken();
    const [again] = twoRuns();
    const second = await send([again ?? ''], 'ok');
    expect(second.errors).toEqual({});
    expect(portal.stats().oauthRequests).toBe(1);
    expect(portal.eventSends().filter((s) => s.outcome === 'accepted')).toHaveLength(2);
  });

  it('a portal refusing every token ends in portal_needs_reinstall, as through the SDK', async () => {
    portal.refuseTokens();
    await expect(send(twoRuns(), 'ok')).rejects.toMatchObject({ code: 'portal_needs_reinstall' });
    expect(portal.eventSends()).toHaveLength(0);
  });
});
