import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { endpoints, greenApiWebhookPath } from '../../config/endpoints';
import { freePort, type LocalRedisServer, startRedisServer } from '../../lib/redis-server';
import { productionNodeFlags } from '../faults/app-process';
import { badInputCases, SECRETS } from '../helpers/bad-inputs';
import { eventually } from '../helpers/harness';
import { postRaw, signBytes } from '../helpers/raw-http';

const root = join(__dirname, '..', '..');
const APP_SECRET = 'redaction-app-secret';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts an entry point with tsx, capturing stdout and stderr together. */
function run(script: string, env: Record<string, string>): Running {
  let output = '';
  // node --import tsx with npm start/worker's flags, as they run: the tsx CLI's signal relay SIGKILLs a child that
  // has not acknowledged SIGTERM within 30 ms, which a loaded machine misses (exit 143).
  const child = spawn(process.execPath, [...productionNodeFlags(script), '--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('no planted secret reaches the web or worker log (LOG_LEVEL=debug)', () => {
  // Its own Redis: the processes use the default key and queue names, which other files' processes share.
  let redis: LocalRedisServer;
  let web: Running;
  let worker: Running;
  let appUrl = '';

  beforeAll(async () => {
    redis = await startRedisServer();
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    const env = {
      REDIS_URL: redis.url,
      PUBLIC_URL: 'https://wa.example.com',
      B24_CLIENT_ID: 'local.redaction',
      B24_CLIENT_SECRET: 'redaction-client-secret',
      WA_APP_SECRET: APP_SECRET,
      WA_VERIFY_TOKEN: 'redaction-verify-token',
      SECRETS_KEY: 'd'.repeat(64),
      LOG_LEVEL: 'debug',
    };
    web = run('app/main.ts', { ...env, PORT: String(port) });
    worker = run('workers/main.ts', env);
    await eventually(async () => (await fetch(`${appUrl}${endpoints.health}`)).ok, 30_000, 'web process');
    await eventually(() => worker.output().includes('workers started'), 30_000, 'worker process');
  });
  afterAll(async () => {
    web.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    await Promise.all([web.exited, worker.exited]);
    await redis.stop();
  });

  it('every bad input, a refused robot call, a refused Green-API call and a queued webhook log no secret', async () => {
    const cases = badInputCases({ appSecret: APP_SECRET, memberId: 'member-redaction', greenLineId: 'green' });
    const unexpected: string[] = [];
    for (const c of cases) {
      const response = await postRaw(`${appUrl}${c.path}`, c);
      if (response.status !== c.status) unexpected.push(`${c.door}: ${c.name} → ${response.status}`);
    }
    // Well-formed but refused: an unknown portal's robot call, an unknown line's notification.
    const robot = await postRaw(`${appUrl}${endpoints.robot}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body:
        `auth[member_id]=member-redaction&auth[access_token]=${SECRETS.accessToken}` +
        `&auth[refresh_token]=${SECRETS.refreshToken}&auth[application_token]=${SECRETS.applicationToken}`,
    });
    expect(robot.status).toBe(401);
    const notification = JSON.stringify({ typeWebhook: 'incomingMessageReceived', instanceData: { idInstance: 1 } });
    const green = await postRaw(`${appUrl}${greenApiWebhookPath('green')}`, {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.greenBearer}` },
      body: notification,
    });
    expect(green.status).toBe(401);
    // Signed and well-formed: queued, and the worker logs the number no portal has connected.
    const message = { id: 'wamid.redaction', from: '79161234567', type: 'text', text: { body: SECRETS.graphToken } };
    const webhook = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field: 'messages',
              value: { metadata: { phone_number_id: '999000999' }, messages: [{ ...message, auth: SECRETS }] },
            },
          ],
        },
      ],
    });
    const queued = await postRaw(`${appUrl}${endpoints.whatsappWebhook}`, {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBytes(APP_SECRET, webhook) },
      body: webhook,
    });
    expect(queued.status).toBe(200);
    await eventually(() => worker.output().includes('no portal has connected'), 15_000, 'worker handled the webhook');

    const logs = `${web.output()}\n${worker.output()}`;
    for (const secret of Object.values(SECRETS)) expect(logs).not.toContain(secret);
    expect(unexpected).toEqual([]);
    // Refusals are logged by code, parser failure type and size: enough to see what happened.
    expect(web.output()).toMatch(/"code":"payload_too_large","reason":"[^"]+","type":"entity.too.large","length":\d+/);
    expect(web.output()).toMatch(/"code":"bad_form".*"type":"parameters.too.many"/);
  });
});
